// Amazon ECR (private registries and ECR Public): hosts, log wording, remediation.
import type { HostMatch, LogSignal, ProviderAdapter, RemediationContext } from '../types.js';
import {
  arg,
  bareHost,
  doc,
  firstSegment,
  fromTable,
  gatherKnown,
  ipArg,
  step,
  type Known,
  type RemediationTable,
} from '../remediation-kit.js';

// ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn], or .amazonaws.eu in the AWS European Sovereign Cloud
// (the partitions amazon-ecr-credential-helper's registry pattern knows). Pasted logs often mask the account or region
// (`XXXXXXXXXXXX`, `account-id`, `<region>`): the host is still ECR, the masked part just stays unknown.
const PRIVATE_HOST = /^([^.]+)\.dkr\.ecr(-fips)?\.([^.]+)\.amazonaws\.(?:com(?:\.cn)?|eu)$/;
// ACCOUNT.dkr-ecr[-fips].REGION.on.aws: dual-stack (IPv4 + IPv6), see "Making requests to Amazon ECR registries".
const DUAL_STACK_HOST = /^([^.]+)\.dkr-ecr(-fips)?\.([^.]+)\.on\.aws$/;
const ACCOUNT_ID = /^\d{12}$/;
// `eu-west-1`, `us-gov-west-1`, and the European Sovereign Cloud's `eusc-de-east-1`.
const REGION_NAME = /^[a-z]{2,4}(?:-[a-z]+)+-\d+$/;
// API endpoints seen in CLI/SDK errors: ecr.REGION.amazonaws.com, api.ecr.REGION.amazonaws.com, ecr.REGION.api.aws
const API_HOST = /^(?:api\.)?ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(?:amazonaws\.com(?:\.cn)?|api\.aws)$/;
// Layers are served from S3 buckets named after the region.
const LAYER_BUCKET_HOST = /^prod-([a-z]{2}(?:-[a-z]+)+-\d+)-starport-layer-bucket\.s3[.-]/;
const PUBLIC_HOST = /^(?:public\.ecr\.aws|api\.ecr-public\.[a-z0-9-]+\.amazonaws\.com|ecr-public\.[a-z0-9-]+\.on\.aws)$/;

function matchHost(host: string, repository: string): HostMatch | undefined {
  const name = bareHost(host);
  const registry = PRIVATE_HOST.exec(name) ?? DUAL_STACK_HOST.exec(name);
  if (registry) {
    const [, account = '', , region = ''] = registry;
    return {
      provider: 'ecr',
      ...(ACCOUNT_ID.test(account) ? { account } : {}),
      ...(REGION_NAME.test(region) ? { region } : {}),
    };
  }
  const api = API_HOST.exec(name) ?? LAYER_BUCKET_HOST.exec(name);
  if (api) return { provider: 'ecr', region: api[1] };
  if (PUBLIC_HOST.test(name)) {
    const alias = firstSegment(repository);
    return alias ? { provider: 'ecr', account: alias } : { provider: 'ecr' };
  }
  return undefined;
}

const logSignals: readonly LogSignal[] = [
  /docker-credential-ecr-login/i,
  /amazon-ecr-credential-helper/i,
  /\barn:aws[-\w]*:(?:ecr|iam|sts)(?:-public)?:/,
  /\becr(?:-public)?:[A-Z]\w+/,
  /\baws ecr(?:-public)? get-login(?:-password)?\b/,
  /\b(?:RepositoryNotFoundException|ImageTagAlreadyExistsException|RepositoryAlreadyExistsException|LayerAlreadyExistsException|LayerPartTooSmallException|InvalidLayerPartException|LayersNotFoundException|ImageAlreadyExistsException|ImageNotFoundException|RepositoryPolicyNotFoundException|LifecyclePolicyNotFoundException|UploadNotFoundException|EmptyUploadException|InvalidLayerException|KmsException|ReferencedImagesNotFoundException)\b/,
  /\bAmazonEC2ContainerRegistry_V20150921\b/,
  /\bdkr\.ecr\.[a-z0-9-]+\.amazonaws\.(?:com|eu)\b/,
  // ECR's own refusals, quoted by any client: PutImage's parameter validation and its tag immutability.
  /Invalid parameter at \\?'ImageManifest\\?'/,
  /cannot be overwritten because the (?:repository|tag) is immutable/,
  // The GitHub Actions that log a runner in to ECR, and the ECR API operations the AWS CLI names.
  /aws-actions\/(?:amazon-ecr-login|configure-aws-credentials)/,
  /when calling the (?:GetAuthorizationToken|PutImage|InitiateLayerUpload|UploadLayerPart|CompleteLayerUpload|BatchCheckLayerAvailability|BatchGetImage|DescribeRepositories|DescribeImages|CreateRepository) operation/,
  // ECR's own wording when no host is shown (its API errors, as the Docker client relays them).
  /in the registry with id '/,
  /Invalid parameter at 'ImageManifest'/,
  /cannot be overwritten because the repository is immutable/,
].map((pattern) => ({ pattern, provider: 'ecr' as const }));

// ---------------------------------------------------------------------------------------------------
// What remediation knows about an ECR target, shell-safe.

const ACCOUNT = /^\d{12}$/;
const PRINCIPAL_ARN = /^arn:(aws[-a-z]*):(iam|sts)::(\d{12}):(.+)$/;

interface EcrTarget {
  isPublic: boolean;
  account: string;
  region: string;
  partition: string;
  /** Registry host to log in to. */
  host: string;
  /** Repository name inside the registry (without the ECR Public alias). */
  repository: string;
  tag: string;
  principal: string;
  /** `role` / `user` name behind the principal, and which kind. */
  identity?: { kind: 'role' | 'user'; name: string };
  clientIp: string;
}

function partitionOf(region: string | undefined, principal: string | undefined, host: string | undefined): string {
  const fromArn = principal ? PRINCIPAL_ARN.exec(principal)?.[1] : undefined;
  if (fromArn) return fromArn;
  if (host?.endsWith('.amazonaws.com.cn')) return 'aws-cn';
  if (host?.endsWith('.amazonaws.eu') || region?.startsWith('eusc-')) return 'aws-eusc';
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  if (region?.startsWith('us-isob-')) return 'aws-iso-b';
  if (region?.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/** The IAM role or user behind a principal ARN; an STS assumed-role session maps back to its role. */
export function identityOf(principal: string | undefined): EcrTarget['identity'] {
  const match = principal ? PRINCIPAL_ARN.exec(principal) : null;
  if (!match) return undefined;
  const [, , service, , resource = ''] = match;
  const parts = resource.split('/');
  if (service === 'sts' && parts[0] === 'assumed-role' && parts[1]) return { kind: 'role', name: parts[1] };
  if (service === 'iam' && parts[0] === 'role' && parts.length >= 2) return { kind: 'role', name: parts.at(-1)! };
  if (service === 'iam' && parts[0] === 'user' && parts.length >= 2) return { kind: 'user', name: parts.at(-1)! };
  return undefined;
}

function readTarget(context: RemediationContext): EcrTarget {
  const known: Known = gatherKnown(context);
  const host = known.host ? bareHost(known.host) : undefined;
  const isPublic = host !== undefined && PUBLIC_HOST.test(host);
  let repository = known.repository;
  if (isPublic && repository) repository = repository.slice(repository.indexOf('/') + 1);
  const region = arg(known.region, '<region>', REGION_NAME);
  const account = arg(known.account, isPublic ? '<registry-alias>' : '<account-id>', isPublic ? undefined : ACCOUNT);
  const safeHost = host && (PRIVATE_HOST.test(host) || DUAL_STACK_HOST.test(host) || isPublic) ? host : undefined;
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : region.startsWith('eusc-') ? 'amazonaws.eu' : 'amazonaws.com';
  const identity = identityOf(known.principal);
  return {
    isPublic,
    account,
    region,
    partition: partitionOf(known.region, known.principal, host),
    host: safeHost ?? (isPublic ? 'public.ecr.aws' : `${account}.dkr.ecr.${region}.${suffix}`),
    repository: arg(repository, '<repository>'),
    tag: arg(known.tag, '<tag>'),
    principal: arg(known.principal, '<principal-arn>'),
    identity: identity && /^[\w+=,.@-]{1,128}$/.test(identity.name) && !identity.name.startsWith('-') ? identity : undefined,
    clientIp: ipArg(known.clientIp),
  };
}

/** The actions a push needs on the repository (ecr:GetAuthorizationToken is on `*`). */
export const PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:BatchGetImage',
] as const;

function repositoryArn(t: EcrTarget): string {
  return `arn:${t.partition}:ecr:${t.region}:${t.account}:repository/${t.repository}`;
}

/** The identity policy a pusher needs: the token on `*`, the push actions on the repository. */
export function pushPolicy(t: EcrTarget): string {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Sid: 'EcrPush', Effect: 'Allow', Action: [...PUSH_ACTIONS], Resource: repositoryArn(t) },
    ],
  };
  return JSON.stringify(policy, null, 2);
}

function loginCommand(t: EcrTarget): string {
  if (t.isPublic) {
    return 'aws ecr-public get-login-password --region us-east-1 | docker login --username AWS --password-stdin public.ecr.aws';
  }
  return `aws ecr get-login-password --region ${t.region} | docker login --username AWS --password-stdin ${t.host}`;
}

const DOCS = {
  auth: doc('Amazon ECR: private registry authentication', 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html'),
  helper: doc('Amazon ECR Docker credential helper', 'https://github.com/awslabs/amazon-ecr-credential-helper'),
  dockerErrors: doc('Amazon ECR: troubleshooting Docker commands', 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/common-errors-docker.html'),
  pushIam: doc('Amazon ECR: IAM permissions for pushing an image', 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html'),
  repoPolicies: doc('Amazon ECR: private repository policies', 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html'),
  createRepo: doc('Amazon ECR: creating a private repository', 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-create.html'),
  mutability: doc('Amazon ECR: image tag mutability', 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html'),
  quotas: doc('Amazon ECR service quotas', 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html'),
  publicQuotas: doc('Amazon ECR Public service quotas', 'https://docs.aws.amazon.com/AmazonECR/latest/public/public-service-quotas.html'),
  publicAuth: doc('Amazon ECR Public: registry authentication', 'https://docs.aws.amazon.com/AmazonECR/latest/public/public-registry-auth.html'),
  vpcEndpoints: doc('Amazon ECR interface VPC endpoints (AWS PrivateLink)', 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html'),
  requests: doc('Making requests to Amazon ECR registries (IPv4 and dual-stack endpoints)', 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-requests.html'),
  troubleshooting: doc('Amazon ECR troubleshooting', 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/troubleshooting.html'),
  iamTroubleshoot: doc('Troubleshooting Amazon ECR identity and access', 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_troubleshoot.html'),
};

function grantCommand(t: EcrTarget): string {
  if (t.identity?.kind === 'user') {
    return `aws iam put-user-policy --user-name ${t.identity.name} --policy-name ecr-push --policy-document file://ecr-push-policy.json`;
  }
  const role = t.identity?.name ?? '<role-name>';
  return `aws iam put-role-policy --role-name ${role} --policy-name ecr-push --policy-document file://ecr-push-policy.json`;
}

function simulateCommand(t: EcrTarget): string {
  const source =
    t.identity?.kind === 'role'
      ? `arn:${t.partition}:iam::${t.account}:role/${t.identity.name}`
      : t.identity?.kind === 'user'
        ? `arn:${t.partition}:iam::${t.account}:user/${t.identity.name}`
        : '<role-or-user-arn>';
  return `aws iam simulate-principal-policy --policy-source-arn ${source} --action-names ${PUSH_ACTIONS.join(' ')} --resource-arns ${repositoryArn(t)}`;
}

const table: RemediationTable<EcrTarget> = {
  auth_missing: (t) => ({
    explanation: 'Docker has no ECR credentials for this registry: ECR needs a token from `aws ecr get-login-password` (or the ECR credential helper) before a push.',
    steps: [
      step('Check which AWS identity the job runs as (and that it has credentials at all).', 'aws sts get-caller-identity'),
      step('Log Docker in to the registry with a fresh ECR token.', loginCommand(t)),
      step(
        'Or let Docker fetch tokens itself with the credential helper `docker-credential-ecr-login` (install it, then add this to ~/.docker/config.json).',
        JSON.stringify({ credHelpers: { [t.host]: 'ecr-login' } }, null, 2),
      ),
    ],
    docs: t.isPublic ? [DOCS.publicAuth, DOCS.helper] : [DOCS.auth, DOCS.helper, DOCS.dockerErrors],
  }),
  auth_expired: (t) => ({
    explanation: 'ECR authorization tokens are valid for 12 hours; a token fetched early in a long job (or cached on a runner) has expired.',
    steps: [
      step('Fetch a new token right before the push.', loginCommand(t)),
      step(
        'For long-lived runners, use the credential helper `docker-credential-ecr-login`, which renews the token on every call, instead of a stored `docker login`.',
        JSON.stringify({ credHelpers: { [t.host]: 'ecr-login' } }, null, 2),
      ),
      step('If the AWS credentials themselves are temporary (an assumed role), check that the session has not ended.', 'aws sts get-caller-identity'),
    ],
    docs: [DOCS.auth, DOCS.helper, DOCS.dockerErrors],
  }),
  permission_denied: (t) => ({
    explanation: `The IAM identity${t.identity ? ` (${t.identity.kind} ${t.identity.name})` : ''} may not push to this repository: it needs ecr:GetAuthorizationToken on * and the layer-upload and PutImage actions on the repository, and no repository policy may deny them.`,
    steps: [
      {
        ...step(
          `${t.identity ? `Give the ${t.identity.kind} ${t.identity.name}` : 'Give the role or user the job runs as'} the push policy below, saved as ecr-push-policy.json (push actions on the repository, the login token on *).`,
          grantCommand(t),
        ),
        document: { name: 'ecr-push-policy.json', content: pushPolicy(t) },
      },
      step('Check the result with a policy simulation.', simulateCommand(t)),
      step(
        'Check the repository policy for an explicit Deny (or a missing Allow for a principal in another account).',
        `aws ecr get-repository-policy --repository-name ${t.repository} --region ${t.region}`,
      ),
    ],
    docs: [DOCS.pushIam, DOCS.repoPolicies, DOCS.iamTroubleshoot],
  }),
  repo_not_found: (t) =>
    t.isPublic
      ? {
          steps: [
            step('Create the public repository (ECR Public lives in us-east-1).', `aws ecr-public create-repository --repository-name ${t.repository} --region us-east-1`),
          ],
          docs: [DOCS.publicAuth],
        }
      : {
          explanation: 'ECR does not create repositories on push: the repository must exist in that account and region.',
          steps: [
            step('Check the repository exists in the account and region you push to.', `aws ecr describe-repositories --repository-names ${t.repository} --registry-id ${t.account} --region ${t.region}`),
            step('Create it.', `aws ecr create-repository --repository-name ${t.repository} --region ${t.region}`),
          ],
          docs: [DOCS.createRepo, DOCS.dockerErrors],
        },
  tag_immutable: (t) => ({
    explanation: 'The repository has immutable tags and the tag already exists: ECR refuses to move it to a new image.',
    steps: [
      step('Push under a tag that is unique per build (the commit id, a build number) instead of reusing one.', `docker tag ${t.host}/${t.repository}:${t.tag} ${t.host}/${t.repository}:$(git rev-parse --short HEAD)`),
      step('See which image holds the tag now.', `aws ecr describe-images --repository-name ${t.repository} --image-ids imageTag=${t.tag} --region ${t.region}`),
      step(
        'Only if moving tags is really wanted: make the repository mutable. Trade-off: a tag then no longer pins one image, so deployments by tag can change under you.',
        `aws ecr put-image-tag-mutability --repository-name ${t.repository} --image-tag-mutability MUTABLE --region ${t.region}`,
      ),
    ],
    docs: [DOCS.mutability, DOCS.dockerErrors],
  }),
  quota_exceeded: (t) => ({
    explanation: 'An ECR service quota was reached (images per repository, repositories per registry, layer parts, or a request rate).',
    steps: [
      step('List the ECR quotas and their current values for the region.', `aws service-quotas list-service-quotas --service-code ecr --region ${t.region}`),
      step('Ask for an increase of the quota named in the error.', `aws service-quotas request-service-quota-increase --service-code ecr --quota-code <quota-code> --desired-value <value> --region ${t.region}`),
      step(
        'For images per repository, expire old images with a lifecycle policy (here: keep the last 500).',
        `aws ecr put-lifecycle-policy --repository-name ${t.repository} --region ${t.region} --lifecycle-policy-text '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":500},"action":{"type":"expire"}}]}'`,
      ),
    ],
    docs: [t.isPublic ? DOCS.publicQuotas : DOCS.quotas],
  }),
  rate_limited: (t) => ({
    explanation: t.isPublic
      ? 'ECR Public limits unauthenticated pulls per IP more tightly than authenticated ones.'
      : 'ECR throttled the API calls (ThrottlingException / 429): too many requests per second for the account and region.',
    steps: [
      ...(t.isPublic ? [step('Authenticate to ECR Public to get the higher limits.', loginCommand(t))] : []),
      step('Retry with exponential backoff, and push fewer images or layers at once (Docker: `max-concurrent-uploads` in /etc/docker/daemon.json).', '{ "max-concurrent-uploads": 2 }'),
      step('Check the rate quotas (they are per region and adjustable).', `aws service-quotas list-service-quotas --service-code ${t.isPublic ? 'ecr-public' : 'ecr'} --region ${t.isPublic ? 'us-east-1' : t.region}`),
    ],
    docs: [t.isPublic ? DOCS.publicQuotas : DOCS.quotas],
  }),
  firewall_denied: (t) => ({
    explanation: 'A policy condition on the network refused the request: a repository or identity policy with aws:SourceIp / aws:SourceVpce, or a VPC endpoint policy.',
    steps: [
      step('Look for aws:SourceIp / aws:SourceVpc / aws:SourceVpce conditions in the repository policy.', `aws ecr get-repository-policy --repository-name ${t.repository} --region ${t.region}`),
      step(`Allow the runner's address${t.clientIp === '<client-ip>' ? '' : ` (${t.clientIp})`} in that condition, or push from inside the allowed VPC endpoint.`),
      step('Check the VPC endpoint policies of com.amazonaws.REGION.ecr.dkr and ecr.api allow the push actions.', `aws ec2 describe-vpc-endpoints --filters Name=service-name,Values=com.amazonaws.${t.region}.ecr.dkr --region ${t.region}`),
    ],
    docs: [DOCS.repoPolicies, DOCS.vpcEndpoints],
  }),
  network: (t) => ({
    explanation: 'The runner could not reach the registry (DNS, TCP or TLS). In a private subnet ECR needs VPC endpoints for ecr.api and ecr.dkr, and S3 (layers are stored in S3).',
    steps: [
      step('Check DNS, TCP and TLS to the registry (a 401 answer means the network is fine).', `curl -v https://${t.host}/v2/`),
      step(
        'From a private subnet without NAT, check the interface endpoints ecr.api and ecr.dkr and the S3 gateway endpoint exist.',
        `aws ec2 describe-vpc-endpoints --filters Name=service-name,Values=com.amazonaws.${t.region}.ecr.dkr,com.amazonaws.${t.region}.ecr.api,com.amazonaws.${t.region}.s3 --region ${t.region}`,
      ),
      step('From an IPv6-only network, use the dual-stack registry endpoint ACCOUNT.dkr-ecr.REGION.on.aws.'),
    ],
    docs: [DOCS.vpcEndpoints, DOCS.requests, DOCS.dockerErrors],
  }),
  other: (t) => ({
    steps: [
      step('Check the registry answers and your identity can reach the repository.', `aws ecr describe-repositories --repository-names ${t.repository} --region ${t.region}`),
    ],
    docs: [DOCS.troubleshooting, DOCS.dockerErrors],
  }),
};

export const ecrAdapter: ProviderAdapter = {
  id: 'ecr',
  providers: ['ecr'],
  displayName: (_provider, host) => (host && PUBLIC_HOST.test(bareHost(host.toLowerCase())) ? 'Amazon ECR Public' : 'Amazon ECR'),
  matchHost,
  logSignals,
  remediate: (context) => fromTable(table, context, readTarget),
};
