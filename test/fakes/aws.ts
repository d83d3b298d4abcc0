// A fake of the AWS APIs the ECR probes call, on the wire as the real SDK clients speak it (one server,
// reached through a registry's `endpoint` override):
// - ECR: JSON 1.1 — `POST /`, `content-type: application/x-amz-json-1.1`,
//   `x-amz-target: AmazonEC2ContainerRegistry_V20150921.<Operation>`, errors as HTTP 400 + `{"__type", "message"}`.
// - IAM (2010-05-08) and STS (2011-06-15): the query protocol — a form body `Action=…&Version=…`, answers in
//   XML, errors as `<ErrorResponse><Error><Type/><Code/><Message/></Error></ErrorResponse>`.
// Every request must be SigV4-signed for the right service; what breaks the protocol is recorded as a
// violation (tests assert there are none), and an operation with no handler is recorded as unexpected.
import { createServer, type IncomingMessage, type Server } from 'node:http';

export type AwsService = 'ecr' | 'iam' | 'sts';

export interface AwsCall {
  service: AwsService;
  operation: string;
  /** ECR: the JSON body; IAM/STS: the form fields (`ActionNames.member.1` …). */
  input: Record<string, unknown>;
  /** From the SigV4 credential scope. */
  accessKeyId: string;
  region: string;
}

export type AwsAnswer =
  | { status?: number; json: unknown; delayMs?: number }
  | { status?: number; xml: string; delayMs?: number }
  | { error: { status?: number; code: string; message: string }; delayMs?: number };

export type AwsHandler = (call: AwsCall) => AwsAnswer | Promise<AwsAnswer>;

export interface FakeAws {
  url: string;
  calls: AwsCall[];
  violations: string[];
  unexpected: string[];
  /** Set (or replace) the answer to `service.Operation`. */
  on(operation: `${AwsService}.${string}`, handler: AwsHandler): void;
  close(): Promise<void>;
}

const ECR_TARGET = 'AmazonEC2ContainerRegistry_V20150921.';
const QUERY_VERSIONS: Record<'iam' | 'sts', string> = { iam: '2010-05-08', sts: '2011-06-15' };
const SIGV4 = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=[0-9a-f]{64}$/;

function read(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startFakeAws(): Promise<FakeAws> {
  const handlers = new Map<string, AwsHandler>();
  const calls: AwsCall[] = [];
  const violations: string[] = [];
  const unexpected: string[] = [];

  const server: Server = createServer(async (request, response) => {
    const body = await read(request);
    const violation = (text: string): void => {
      violations.push(text);
      response.writeHead(400, { 'content-type': 'text/plain' }).end(text);
    };
    if (request.method !== 'POST' || request.url !== '/') return violation(`${request.method} ${request.url}: every call is POST /`);
    const auth = SIGV4.exec(request.headers.authorization ?? '');
    if (!auth) return violation(`not SigV4-signed: ${request.headers.authorization ?? '(no authorization header)'}`);
    const [, accessKeyId = '', , region = '', signedService = '', signedHeaders = ''] = auth;
    if (!request.headers['x-amz-date']) return violation('no x-amz-date header');
    if (!signedHeaders.split(';').includes('host')) return violation('the host header is not signed');

    let call: AwsCall;
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string') {
      if (signedService !== 'ecr') return violation(`ECR call signed for service ${signedService}`);
      if (!target.startsWith(ECR_TARGET)) return violation(`unknown x-amz-target ${target}`);
      if (request.headers['content-type'] !== 'application/x-amz-json-1.1') return violation(`ECR content-type ${request.headers['content-type']}`);
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(body || '{}') as Record<string, unknown>;
      } catch {
        return violation(`ECR body is not JSON: ${body.slice(0, 80)}`);
      }
      call = { service: 'ecr', operation: target.slice(ECR_TARGET.length), input, accessKeyId, region };
    } else {
      if (!/^application\/x-www-form-urlencoded/.test(request.headers['content-type'] ?? '')) return violation(`query content-type ${request.headers['content-type']}`);
      const form = Object.fromEntries(new URLSearchParams(body));
      const service = signedService as AwsService;
      if (service !== 'iam' && service !== 'sts') return violation(`query call signed for service ${signedService}`);
      if (form.Version !== QUERY_VERSIONS[service]) return violation(`${service} Version ${form.Version} (expected ${QUERY_VERSIONS[service]})`);
      const { Action: operation = '', Version: _version, ...input } = form;
      call = { service, operation, input, accessKeyId, region };
    }
    calls.push(call);

    const handler = handlers.get(`${call.service}.${call.operation}`);
    if (!handler) {
      unexpected.push(`${call.service}.${call.operation}`);
      response.writeHead(500, { 'content-type': 'text/plain' }).end('no handler in the fake');
      return;
    }
    const answer = await handler(call);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (response.destroyed) return;
    if ('json' in answer) {
      response.writeHead(answer.status ?? 200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'fake-request' }).end(JSON.stringify(answer.json));
    } else if ('xml' in answer) {
      response.writeHead(answer.status ?? 200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'fake-request' }).end(answer.xml);
    } else if (call.service === 'ecr') {
      response
        .writeHead(answer.error.status ?? 400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'fake-request' })
        .end(JSON.stringify({ __type: answer.error.code, message: answer.error.message }));
    } else {
      response.writeHead(answer.error.status ?? 400, { 'content-type': 'text/xml', 'x-amzn-requestid': 'fake-request' }).end(queryError(call.service, answer.error.code, answer.error.message));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    violations,
    unexpected,
    on: (operation, handler) => handlers.set(operation, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function namespace(service: 'iam' | 'sts'): string {
  return `https://${service}.amazonaws.com/doc/${QUERY_VERSIONS[service]}/`;
}

function queryError(service: 'iam' | 'sts', code: string, message: string): string {
  return `<ErrorResponse xmlns="${namespace(service)}"><Error><Type>Sender</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>fake-request</RequestId></ErrorResponse>`;
}

/** The `member.N` values of a query-protocol list (`ActionNames.member.1`, …), in order. */
export function members(input: Record<string, unknown>, name: string): string[] {
  const out: string[] = [];
  for (let index = 1; input[`${name}.member.${index}`] !== undefined; index += 1) out.push(String(input[`${name}.member.${index}`]));
  return out;
}

export function callerIdentityXml(arn: string, account: string): string {
  return `<GetCallerIdentityResponse xmlns="${namespace('sts')}"><GetCallerIdentityResult><Arn>${escapeXml(arn)}</Arn><UserId>AIDAFAKEUSERID</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>fake-request</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
}

export interface SimulationResult {
  action: string;
  resource: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  /** Policies whose statements matched (an explicit deny names the one that denies). */
  matched?: string[];
}

export function simulationXml(results: readonly SimulationResult[]): string {
  const member = (result: SimulationResult): string =>
    `<member><EvalActionName>${escapeXml(result.action)}</EvalActionName><EvalResourceName>${escapeXml(result.resource)}</EvalResourceName><EvalDecision>${result.decision}</EvalDecision><MatchedStatements>${(result.matched ?? [])
      .map((id) => `<member><SourcePolicyId>${escapeXml(id)}</SourcePolicyId><SourcePolicyType>IAM Policy</SourcePolicyType></member>`)
      .join('')}</MatchedStatements><MissingContextValues/></member>`;
  return `<SimulatePrincipalPolicyResponse xmlns="${namespace('iam')}"><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>${results.map(member).join('')}</EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>fake-request</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>`;
}

/** An ECR repository as the fake's repository model keeps it. */
export interface EcrRepositoryModel {
  repositoryName: string;
  imageTagMutability: string;
  scanOnPush: boolean;
  encryptionType: string;
  tags: Array<{ Key: string; Value: string }>;
  createdAt: number;
}

const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const CREATE_FIELDS = new Set(['registryId', 'repositoryName', 'tags', 'imageTagMutability', 'imageTagMutabilityExclusionFilters', 'imageScanningConfiguration', 'encryptionConfiguration']);

/**
 * Serves `DescribeRepositories` and `CreateRepository` from a model of one registry's repositories, as ECR
 * answers them: RepositoryNotFoundException for a missing name, RepositoryAlreadyExistsException for a
 * duplicate, InvalidParameterException for a malformed request (also recorded as a violation).
 */
export function serveEcrRepositories(fake: FakeAws, registry: { account: string; region: string }): Map<string, EcrRepositoryModel> {
  const repositories = new Map<string, EcrRepositoryModel>();
  const error = (code: string, message: string): AwsAnswer => ({ error: { code, message } });
  const invalid = (message: string): AwsAnswer => {
    fake.violations.push(`CreateRepository: ${message}`);
    return error('InvalidParameterException', message);
  };
  const json = (r: EcrRepositoryModel) => ({
    repositoryArn: `arn:aws:ecr:${registry.region}:${registry.account}:repository/${r.repositoryName}`,
    registryId: registry.account,
    repositoryName: r.repositoryName,
    repositoryUri: `${registry.account}.dkr.ecr.${registry.region}.amazonaws.com/${r.repositoryName}`,
    createdAt: r.createdAt,
    imageTagMutability: r.imageTagMutability,
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: { encryptionType: r.encryptionType },
  });
  fake.on('ecr.DescribeRepositories', (call) => {
    const names = (call.input.repositoryNames as string[] | undefined) ?? [...repositories.keys()];
    const missing = names.find((name) => !repositories.has(name));
    if (missing) return error('RepositoryNotFoundException', `The repository with name '${missing}' does not exist in the registry with id '${registry.account}'`);
    return { json: { repositories: names.map((name) => json(repositories.get(name)!)) } };
  });
  fake.on('ecr.CreateRepository', (call) => {
    const input = call.input as {
      registryId?: unknown;
      repositoryName?: unknown;
      tags?: unknown;
      imageTagMutability?: unknown;
      imageScanningConfiguration?: { scanOnPush?: unknown };
      encryptionConfiguration?: { encryptionType?: unknown; kmsKey?: unknown };
    };
    const unknown = Object.keys(input).filter((key) => !CREATE_FIELDS.has(key));
    if (unknown.length > 0) return invalid(`unknown fields ${unknown.join(', ')}`);
    const name = input.repositoryName;
    if (typeof name !== 'string' || name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) return invalid(`Invalid parameter at 'repositoryName' failed to satisfy constraint: '${String(name)}'`);
    if (input.registryId !== undefined && input.registryId !== registry.account) return invalid(`registryId ${String(input.registryId)} is not this registry's`);
    const mutability = input.imageTagMutability ?? 'MUTABLE';
    if (mutability !== 'MUTABLE' && mutability !== 'IMMUTABLE') return invalid(`Invalid parameter at 'imageTagMutability': ${String(mutability)}`);
    const scanOnPush = input.imageScanningConfiguration?.scanOnPush ?? false;
    if (typeof scanOnPush !== 'boolean') return invalid('imageScanningConfiguration.scanOnPush must be a boolean');
    const encryptionType = input.encryptionConfiguration?.encryptionType ?? 'AES256';
    if (encryptionType !== 'AES256' && encryptionType !== 'KMS' && encryptionType !== 'KMS_DSSE') return invalid(`Invalid parameter at 'encryptionType': ${String(encryptionType)}`);
    const tags = (input.tags ?? []) as Array<{ Key?: unknown; Value?: unknown }>;
    if (!Array.isArray(tags) || !tags.every((tag) => typeof tag.Key === 'string' && tag.Key.length > 0 && typeof tag.Value === 'string' && Object.keys(tag).length === 2)) {
      fake.violations.push(`CreateRepository: tags ${JSON.stringify(tags)} are not [{Key, Value}]`);
      return error('InvalidTagParameterException', 'Invalid tag: every tag needs a Key and a Value');
    }
    if (repositories.has(name)) return error('RepositoryAlreadyExistsException', `The repository with name '${name}' already exists in the registry with id '${registry.account}'`);
    const created: EcrRepositoryModel = { repositoryName: name, imageTagMutability: mutability, scanOnPush, encryptionType, tags: tags as EcrRepositoryModel['tags'], createdAt: Math.floor(Date.now() / 1000) };
    repositories.set(name, created);
    return { json: { repository: json(created) } };
  });
  return repositories;
}

/**
 * Serves `GetRepositoryPolicy` and `SetRepositoryPolicy` from a map of repository name → policy text, as ECR
 * answers them: RepositoryPolicyNotFoundException when a repository has none; a request with unknown fields,
 * another registry's id or a policy that is not JSON is InvalidParameterException (and a violation).
 */
export function serveEcrPolicies(fake: FakeAws, registry: { account: string }): Map<string, string> {
  const policies = new Map<string, string>();
  const error = (code: string, message: string): AwsAnswer => ({ error: { code, message } });
  const invalid = (message: string): AwsAnswer => {
    fake.violations.push(`SetRepositoryPolicy: ${message}`);
    return error('InvalidParameterException', message);
  };
  fake.on('ecr.GetRepositoryPolicy', (call) => {
    const name = String(call.input.repositoryName);
    const text = policies.get(name);
    if (text === undefined) return error('RepositoryPolicyNotFoundException', `Repository policy does not exist for the repository with name '${name}' in the registry with id '${registry.account}'`);
    return { json: { registryId: registry.account, repositoryName: name, policyText: text } };
  });
  fake.on('ecr.SetRepositoryPolicy', (call) => {
    const { repositoryName, policyText, registryId, ...rest } = call.input;
    if (Object.keys(rest).length > 0) return invalid(`unknown fields ${Object.keys(rest).join(', ')}`);
    if (typeof repositoryName !== 'string') return invalid('repositoryName is required');
    if (registryId !== undefined && registryId !== registry.account) return invalid(`registryId ${String(registryId)} is not this registry's`);
    if (typeof policyText !== 'string') return invalid('policyText is required');
    try {
      JSON.parse(policyText);
    } catch {
      return invalid('Invalid parameter at PolicyText failed to satisfy constraint: policy is not JSON');
    }
    policies.set(repositoryName, policyText);
    return { json: { registryId: registry.account, repositoryName, policyText } };
  });
  return policies;
}

/**
 * A `registries[]` entry `prod-ecr` for an ECR served by this fake: probe and fix keys read from the
 * ECR_PROBE_* and ECR_FIX_* variables, U0ALICE its fixer.
 */
export function ecrRegistryEntry(target: { host: string; region: string; account: string; endpoint: string }) {
  return {
    name: 'prod-ecr',
    provider: 'ecr',
    ...target,
    credentials: { probe: { accessKeyId: 'ECR_PROBE_KEY', secretAccessKey: 'ECR_PROBE_SECRET' }, fix: { accessKeyId: 'ECR_FIX_KEY', secretAccessKey: 'ECR_FIX_SECRET' } },
    fixers: { users: ['U0ALICE'] },
  };
}
