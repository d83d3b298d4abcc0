// The live part of the gar adapter (Artifact Registry and the gcr.io hosts it serves): probes that ask the
// Artifact Registry API about the image's repository. Loaded only through src/probes/load-live.ts.
import type { Observation } from '../../engine/diagnosis.js';
import { Secret } from '../../probes/secret.js';
import type { ProbeContext, ProbeDefinition, ProbeOutcome, RegistryLogin } from '../../probes/types.js';
import { callOptions, errorInfo, garConnection, grpcCode } from './live/client.js';
import { garRepositoryName, type GarRepositoryName } from './repository-name.js';

const UPLOAD = 'artifactregistry.repositories.uploadArtifacts';
const NOT_FOUND = 5;

/** How a repository is named in sentences: `projects/p/locations/us/repositories/r`. */
const shown = (target: GarRepositoryName) => `\`${target.resource}\``;

/** The API switched off for the project: a finding of its own, whatever the log said. */
function serviceDisabled(error: unknown, target: GarRepositoryName): ProbeOutcome | undefined {
  const info = errorInfo(error);
  if (info.reason !== 'SERVICE_DISABLED') return undefined;
  const service = info.metadata?.service ?? 'artifactregistry.googleapis.com';
  return {
    status: 'failed',
    detail: `the Artifact Registry API (${service}) is disabled in project \`${target.project}\``,
    observations: [
      {
        kind: 'confirm',
        category: 'other',
        evidence: `the Artifact Registry API (${service}) is not enabled in project \`${target.project}\` (SERVICE_DISABLED): nothing can be pushed there until it is`,
        resource: `projects/${target.project}`,
        state: { project: target.project, service, enabled: false, ...(info.metadata?.activationUrl ? { activationUrl: info.metadata.activationUrl } : {}) },
      },
    ],
  };
}

function missingRepository(target: GarRepositoryName): ProbeOutcome {
  const evidence = target.gcr
    ? `project \`${target.project}\` has no \`${target.repositoryId}\` repository in \`${target.location}\`, the Artifact Registry repository that serves ${target.repositoryId}; a push creates it only for an identity with roles/artifactregistry.createOnPushWriter`
    : `repository ${shown(target)} does not exist (Artifact Registry does not create repositories on push)`;
  return {
    status: 'failed',
    detail: evidence,
    observations: [
      {
        kind: 'confirm',
        category: 'repo_not_found',
        evidence,
        resource: target.resource,
        state: { exists: false, project: target.project, location: target.location, repositoryId: target.repositoryId },
      },
    ],
  };
}

function targetOf(context: ProbeContext): GarRepositoryName | ProbeOutcome {
  const target = garRepositoryName(context.image, context.registry);
  return 'unknown' in target ? { status: 'skipped', detail: `not checked: ${target.unknown}` } : target;
}

/** Immutable tags block a push only when the tag already exists: ask for it. */
async function immutableTagObservation(
  context: ProbeContext,
  target: GarRepositoryName,
  immutableTags: boolean,
  state: Observation['state'],
): Promise<Observation | undefined> {
  const tag = context.image.tag;
  if (!immutableTags) {
    return { kind: 'refute', category: 'tag_immutable', evidence: `repository ${shown(target)} allows tags to move (immutable tags off)`, resource: target.resource, state };
  }
  if (!tag) return undefined;
  const name = `${target.resource}/packages/${encodeURIComponent(target.packageId)}/tags/${tag}`;
  const client = await garConnection(context).client();
  try {
    const [found] = await client.getTag({ name }, callOptions(context));
    const evidence = `tag \`${target.packageId}:${tag}\` already exists in ${shown(target)}, which has immutable tags: it cannot be moved to another image`;
    return { kind: 'confirm', category: 'tag_immutable', evidence, resource: name, state: { ...state, tag, tagExists: true, version: found.version ?? null } };
  } catch (error) {
    if (grpcCode(error) !== NOT_FOUND) throw error;
    const evidence = `repository ${shown(target)} has immutable tags, but tag \`${target.packageId}:${tag}\` does not exist yet`;
    return { kind: 'refute', category: 'tag_immutable', evidence, resource: name, state: { ...state, tag, tagExists: false } };
  }
}

const repository: ProbeDefinition = {
  name: 'gar.repository',
  providers: ['gar', 'gcr'],
  needs: ['registry', 'credentials'],
  async run(context) {
    const target = targetOf(context);
    if ('status' in target) return target;
    const client = await garConnection(context).client();
    let found;
    try {
      [found] = await client.getRepository({ name: target.resource }, callOptions(context));
    } catch (error) {
      const disabled = serviceDisabled(error, target);
      if (disabled) return disabled;
      if (grpcCode(error) === NOT_FOUND) return missingRepository(target);
      throw error;
    }
    const format = String(found.format ?? 'FORMAT_UNSPECIFIED');
    const mode = String(found.mode ?? 'STANDARD_REPOSITORY');
    const immutableTags = found.dockerConfig?.immutableTags === true;
    const state = { exists: true, format, mode, immutableTags, project: target.project, location: target.location, repositoryId: target.repositoryId };
    if (format !== 'DOCKER') {
      const evidence = `repository ${shown(target)} is a ${format} repository, not DOCKER: images cannot be pushed to it`;
      return { status: 'failed', detail: evidence, observations: [{ kind: 'confirm', category: 'repo_not_found', evidence, resource: target.resource, state }] };
    }
    if (mode === 'REMOTE_REPOSITORY' || mode === 'VIRTUAL_REPOSITORY') {
      const evidence = `repository ${shown(target)} is a ${mode === 'REMOTE_REPOSITORY' ? 'remote' : 'virtual'} repository: it serves pulls only, pushes go to a standard repository`;
      return { status: 'failed', detail: evidence, observations: [{ kind: 'confirm', category: 'other', evidence, resource: target.resource, state }] };
    }
    const observations: Observation[] = [
      { kind: 'refute', category: 'repo_not_found', evidence: `repository ${shown(target)} exists and is a DOCKER repository`, resource: target.resource, state },
    ];
    const tagObservation = await immutableTagObservation(context, target, immutableTags, state);
    if (tagObservation) observations.push(tagObservation);
    const blocked = tagObservation?.kind === 'confirm';
    return { status: blocked ? 'failed' : 'ok', detail: blocked ? tagObservation.evidence : `repository ${shown(target)} exists: DOCKER, ${immutableTags ? 'immutable' : 'mutable'} tags`, observations };
  },
};

/** `serviceAccount:a@b` and `a@b` name the same member. */
const bareMember = (member: string) => member.replace(/^(?:serviceAccount|user|group):/, '').toLowerCase();

const uploadPermission: ProbeDefinition = {
  name: 'gar.upload-permission',
  providers: ['gar', 'gcr'],
  needs: ['registry', 'credentials'],
  async run(context) {
    const target = targetOf(context);
    if ('status' in target) return target;
    const connection = garConnection(context);
    const client = await connection.client();
    let granted: readonly string[];
    try {
      const [answer] = await client.testIamPermissions({ resource: target.resource, permissions: [UPLOAD] }, callOptions(context));
      granted = answer.permissions ?? [];
    } catch (error) {
      // gar.repository reports these two; here they only mean there is nothing to test.
      if (errorInfo(error).reason === 'SERVICE_DISABLED') return { status: 'skipped', detail: `not checked: the Artifact Registry API is disabled in project \`${target.project}\`` };
      if (grpcCode(error) === NOT_FOUND) return { status: 'skipped', detail: `not checked: repository ${shown(target)} does not exist` };
      throw error;
    }
    const identity = await connection.identity();
    const who = identity ? `\`${identity}\`` : 'the probe credentials';
    const may = granted.includes(UPLOAD);
    const state = { identity: identity ?? null, permission: UPLOAD, granted: may };
    // testIamPermissions answers for the caller only. Its answer is evidence about the push when the caller
    // is the identity the log names, or, with no name in the log, in a preflight (`check` runs on the
    // pusher's credentials).
    const principal = context.facts.principal;
    const callerPushes = principal ? identity !== undefined && bareMember(principal) === identity.toLowerCase() : context.purpose === 'preflight';
    const sentence = `${who} ${may ? 'holds' : 'lacks'} ${UPLOAD} on ${shown(target)}`;
    if (!callerPushes) {
      const whose = principal ? `the log names \`${principal}\`, whose rights only a check as that identity can show` : 'these are the probe\u2019s own credentials, not necessarily the ones that push';
      return { status: 'ok', detail: `${sentence}; ${whose}` };
    }
    const observation: Observation = { kind: may ? 'refute' : 'confirm', category: 'permission_denied', evidence: sentence, resource: target.resource, state };
    return { status: may ? 'ok' : 'failed', detail: sentence, observations: [observation] };
  },
};

export const probes: readonly ProbeDefinition[] = [repository, uploadPermission];

/**
 * The Docker login for the registry host, for the OCI probes: a service-account key logs in as `_json_key`
 * with the key itself, an access token (configured or from application default credentials) as
 * `oauth2accesstoken`.
 */
export async function registryLogin(context: ProbeContext): Promise<RegistryLogin | undefined> {
  const { credentials } = context;
  if (credentials.source === 'configured') {
    const { serviceAccountJson, accessToken } = credentials.values;
    if (serviceAccountJson) return { username: '_json_key', password: serviceAccountJson };
    if (accessToken) return { username: 'oauth2accesstoken', password: accessToken };
    return undefined;
  }
  const fromDefaultChain = credentials.source === 'default-chain' ? garConnection(context).accessToken : undefined;
  return fromDefaultChain ? { username: 'oauth2accesstoken', password: new Secret(await fromDefaultChain()) } : undefined;
}

export { fixes } from './live/fixes.js';
