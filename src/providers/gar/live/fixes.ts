// The gar fixes: create the missing DOCKER repository (a long-running operation, followed to its end), and
// grant roles/artifactregistry.writer to the pushing principal on the repository (read-modify-write of the
// IAM policy with its etag: a concurrent change makes the write fail with ABORTED, and it is read again).
import type { JsonValue, Observation } from '../../../engine/diagnosis.js';
import { FixConflict } from '../../../fixes/fix-conflict.js';
import type { FixContext, FixDefinition, FixInspection, FixPlanDraft } from '../../../probes/types.js';
import { garRepositoryName } from '../repository-name.js';
import { callOptions, garConnection, grpcCode } from './client.js';

const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;
const ABORTED = 10;
const WRITER = 'roles/artifactregistry.writer';
/** Roles that already carry uploadArtifacts on a repository: holding one of them, nothing needs granting. */
const PUSHING_ROLES = new Set([WRITER, 'roles/artifactregistry.repoAdmin', 'roles/artifactregistry.admin']);

type State = { readonly [key: string]: JsonValue };

const text = (value: JsonValue | undefined): string | undefined => (typeof value === 'string' && value ? value : undefined);

async function readRepository(context: FixContext, resource: string): Promise<State> {
  const client = await garConnection(context).client();
  try {
    const [found] = await client.getRepository({ name: resource }, callOptions(context));
    return { exists: true, format: String(found.format ?? 'FORMAT_UNSPECIFIED'), mode: String(found.mode ?? 'STANDARD_REPOSITORY') };
  } catch (error) {
    if (grpcCode(error) === NOT_FOUND) return { exists: false };
    throw error;
  }
}

const createRepository: FixDefinition = {
  kind: 'gar.create-repository',
  category: 'repo_not_found',
  providers: ['gar'],
  intent(scope, observation) {
    const state = observation.state ?? {};
    const target = garRepositoryName(scope.image, scope.registry);
    if (state.exists !== false || 'unknown' in target || target.gcr) return undefined;
    const { project, location, repositoryId, resource } = target;
    return {
      title: `Create repository ${repositoryId} in ${location}`,
      target: resource,
      change: `Create the DOCKER repository ${repositoryId} in ${location} (project ${project})`,
      command: `gcloud artifacts repositories create ${repositoryId} --repository-format=docker --location=${location} --project=${project}`,
      done: `created the DOCKER repository ${resource}`,
    };
  },
  async plan(context, intent) {
    const state = await readRepository(context, intent.target);
    return state.exists === false ? { ...intent, expected: state, params: {} } : undefined;
  },
  async inspect(context, plan): Promise<FixInspection> {
    const state = await readRepository(context, plan.target);
    if (state.exists === false) return { status: 'expected', state };
    if (state.format === 'DOCKER' && state.mode === 'STANDARD_REPOSITORY') return { status: 'desired', state };
    return { status: 'changed', state, detail: `a ${String(state.format)} ${String(state.mode)} repository now has that name` };
  },
  async write(context, plan) {
    const client = await garConnection(context).client();
    const resource = plan.target;
    const parent = resource.slice(0, resource.indexOf('/repositories/'));
    const repositoryId = resource.slice(resource.lastIndexOf('/') + 1);
    try {
      const [operation] = await client.createRepository({ parent, repositoryId, repository: { format: 'DOCKER' } }, callOptions(context));
      await operation.promise();
    } catch (error) {
      // Someone created it between the read and the write: read again and tell which it is.
      if (grpcCode(error) === ALREADY_EXISTS) throw new FixConflict(`${resource} was created meanwhile`);
      throw error;
    }
    // The state after, as the API reports it (the operation's result carries enum numbers, not names).
    return readRepository(context, resource);
  },
};

/** The IAM member for a principal the log or the probe named: `serviceAccount:` for service accounts. */
function memberOf(principal: string): string {
  if (/^(?:serviceAccount|user|group|principal|principalSet):/.test(principal)) return principal;
  return principal.endsWith('.gserviceaccount.com') ? `serviceAccount:${principal}` : `user:${principal}`;
}

/** Whom to grant: the principal the log names, else the identity the probe found lacking the permission. */
const principalOf = (logged: string | undefined, observation: Observation) => logged ?? text(observation.state?.identity);

interface PolicyJson {
  version: number;
  etag: string;
  bindings: { role: string; members: string[]; condition?: { title?: string; expression?: string; description?: string } }[];
}

async function readPolicy(context: FixContext, resource: string): Promise<PolicyJson> {
  const client = await garConnection(context).client();
  const [policy] = await client.getIamPolicy({ resource, options: { requestedPolicyVersion: 3 } }, callOptions(context));
  const etag = policy.etag ? Buffer.from(policy.etag as Uint8Array | string).toString('base64') : '';
  return {
    version: policy.version ?? 1,
    etag,
    bindings: (policy.bindings ?? []).map((binding) => ({
      role: binding.role ?? '',
      members: [...(binding.members ?? [])],
      ...(binding.condition ? { condition: { title: binding.condition.title ?? '', expression: binding.condition.expression ?? '', ...(binding.condition.description ? { description: binding.condition.description } : {}) } } : {}),
    })),
  };
}

/** Whether the member already holds a pushing role without a condition. */
const canPush = (policy: PolicyJson, member: string) => policy.bindings.some((b) => PUSHING_ROLES.has(b.role) && !b.condition && b.members.includes(member));

const grantWriter: FixDefinition = {
  kind: 'gar.grant-writer',
  category: 'permission_denied',
  providers: ['gar', 'gcr'],
  intent(scope, observation) {
    const principal = principalOf(scope.facts.principal, observation);
    const target = garRepositoryName(scope.image, scope.registry);
    if (!principal || 'unknown' in target) return undefined;
    const member = memberOf(principal);
    return {
      title: `Let ${principal} push to ${target.repositoryId}`,
      target: target.resource,
      change: `Grant ${WRITER} to ${member} on ${target.resource}`,
      command: `gcloud artifacts repositories add-iam-policy-binding ${target.repositoryId} --location=${target.location} --project=${target.project} --member=${member} --role=${WRITER}`,
      done: `granted ${WRITER} to ${member} on ${target.resource}`,
    };
  },
  async plan(context, intent, observation) {
    const member = memberOf(principalOf(context.facts.principal, observation)!);
    const policy = await readPolicy(context, intent.target);
    if (canPush(policy, member)) return undefined;
    return { ...intent, expected: { member, bindings: policy.bindings.length }, params: { member } };
  },
  async inspect(context, plan): Promise<FixInspection> {
    const member = String(plan.params.member);
    const policy = await readPolicy(context, plan.target);
    const state = { member, policy: policy as unknown as JsonValue };
    // Other edits to the policy since the plan are kept, not refused: the write starts from this read.
    return canPush(policy, member) ? { status: 'desired', state } : { status: 'expected', state };
  },
  async write(context, plan: FixPlanDraft, inspected) {
    const member = String(plan.params.member);
    const read = inspected.state.policy as unknown as PolicyJson;
    const bindings = read.bindings.map((b) => ({ ...b, members: [...b.members] }));
    const writer = bindings.find((b) => b.role === WRITER && !b.condition);
    if (writer) writer.members.push(member);
    else bindings.push({ role: WRITER, members: [member] });
    const client = await garConnection(context).client();
    try {
      const [written] = await client.setIamPolicy(
        { resource: plan.target, policy: { version: read.version, etag: Buffer.from(read.etag, 'base64'), bindings } },
        callOptions(context),
      );
      return { member, bindings: (written.bindings ?? []).map((b) => ({ role: b.role ?? '', members: [...(b.members ?? [])] })) };
    } catch (error) {
      if (grpcCode(error) === ABORTED) throw new FixConflict(`the IAM policy of ${plan.target} changed since it was read`);
      throw error;
    }
  },
};

export const fixes: readonly FixDefinition[] = [createRepository, grantWriter];
