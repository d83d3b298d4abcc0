// The acr fixes: unlock a repository or a tag that refuses writes. Only writeEnabled is set back to true
// (the PATCH carries nothing else): deleteEnabled, readEnabled and listEnabled stay as they are, since what
// they were before the lock cannot be known and a delete lock does not block a push.
import type { JsonValue } from '../../../engine/diagnosis.js';
import type { FixContext, FixDefinition, FixInspection, FixIntent } from '../../../probes/types.js';
import { dataPlaneClient, statusOf } from './clients.js';
import { allowClientIp } from './firewall-fix.js';

type State = { readonly [key: string]: JsonValue };

/** writeEnabled and deleteEnabled of the repository, or of one tag in it; `exists: false` when it is gone. */
async function readLock(context: FixContext, repository: string, tag: string | undefined): Promise<State> {
  const client = dataPlaneClient(context);
  try {
    const found = tag
      ? await client.getArtifact(repository, tag).getTagProperties(tag, { abortSignal: context.signal })
      : await client.getRepository(repository).getProperties({ abortSignal: context.signal });
    return { exists: true, writeEnabled: found.canWrite ?? true, deleteEnabled: found.canDelete ?? true };
  } catch (error) {
    if (statusOf(error) === 404) return { exists: false };
    throw error;
  }
}

function unlock(level: 'repository' | 'tag'): FixDefinition {
  const tagOf = (plan: { params: State }) => (level === 'tag' ? String(plan.params.tag) : undefined);
  return {
    kind: level === 'tag' ? 'acr.unlock-tag' : 'acr.unlock-repository',
    category: 'repo_locked',
    providers: ['acr'],
    intent(scope, observation): FixIntent | undefined {
      const state = observation.state ?? {};
      const tagState = state.tag as { name?: JsonValue; writeEnabled?: JsonValue } | null | undefined;
      const repository = scope.image.repository;
      const registry = scope.registry?.account ?? scope.image.account ?? scope.image.host;
      if (level === 'repository' && state.writeEnabled !== false) return undefined;
      if (level === 'tag' && (state.writeEnabled === false || !tagState || tagState.writeEnabled !== false)) return undefined;
      const tag = level === 'tag' ? String(tagState!.name) : undefined;
      const target = tag ? `${registry}/${repository}:${tag}` : `${registry}/${repository}`;
      return {
        title: tag ? `Unlock tag ${repository}:${tag}` : `Unlock ${repository}`,
        target,
        change: `Set writeEnabled=true on ${target}`,
        command: tag
          ? `az acr repository update --name ${registry} --image ${repository}:${tag} --write-enabled true`
          : `az acr repository update --name ${registry} --repository ${repository} --write-enabled true`,
        done: `unlocked ${target}`,
      };
    },
    async plan(context, intent) {
      const tag = level === 'tag' ? intent.target.slice(intent.target.lastIndexOf(':') + 1) : undefined;
      const state = await readLock(context, context.image.repository, tag);
      if (state.exists !== true || state.writeEnabled !== false) return undefined;
      return { ...intent, expected: state, params: { repository: context.image.repository, ...(tag ? { tag } : {}) } };
    },
    async inspect(context, plan): Promise<FixInspection> {
      const state = await readLock(context, String(plan.params.repository), tagOf(plan));
      if (state.exists !== true) return { status: 'changed', state, detail: `${plan.target} no longer exists` };
      return state.writeEnabled === true ? { status: 'desired', state } : { status: 'expected', state };
    },
    async write(context, plan) {
      const client = dataPlaneClient(context);
      const repository = String(plan.params.repository);
      const tag = tagOf(plan);
      const after = tag
        ? await client.getArtifact(repository, tag).updateTagProperties(tag, { canWrite: true, abortSignal: context.signal })
        : await client.getRepository(repository).updateProperties({ canWrite: true, abortSignal: context.signal });
      return { exists: true, writeEnabled: after.canWrite ?? true, deleteEnabled: after.canDelete ?? true };
    },
  };
}

export const fixes: readonly FixDefinition[] = [unlock('repository'), unlock('tag'), allowClientIp];
