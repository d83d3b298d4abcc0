// Who may run a registry's fixes: the Slack users named in its `fixers`, and the members of its user groups
// (usergroups.users.list, cached for a few minutes so a burst of clicks makes one call per group).
import type { RegistryConfig } from '../config/schema.js';

export interface UsergroupLookup {
  /** The user ids in a user group (Slack `usergroups.users.list`). */
  members(usergroup: string): Promise<readonly string[]>;
}

export type Authorization = { allowed: true } | { allowed: false; askOneOf: string[] };

export class Fixers {
  private readonly cache = new Map<string, { at: number; members: Promise<readonly string[]> }>();

  constructor(
    private readonly lookup: UsergroupLookup,
    private readonly cacheMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private async members(usergroup: string): Promise<readonly string[]> {
    const cached = this.cache.get(usergroup);
    if (cached && this.now() - cached.at < this.cacheMs) return cached.members;
    const members = this.lookup.members(usergroup);
    this.cache.set(usergroup, { at: this.now(), members });
    // A failed lookup is not remembered: the next click asks again.
    members.catch(() => this.cache.delete(usergroup));
    return members;
  }

  /** Whether `user` may fix `registry`; if not, whom to ask (as Slack mentions). Nobody is allowed when empty. */
  async authorize(user: string, registry: RegistryConfig | undefined): Promise<Authorization> {
    const fixers = registry?.fixers ?? { users: [], usergroups: [] };
    if (fixers.users.includes(user)) return { allowed: true };
    for (const group of fixers.usergroups) {
      if ((await this.members(group)).includes(user)) return { allowed: true };
    }
    return { allowed: false, askOneOf: [...fixers.users.map((u) => `<@${u}>`), ...fixers.usergroups.map((g) => `<!subteam^${g}>`)] };
  }

  /** Whether `user` may fix any of `registries` (who may read the audit). */
  async anyOf(user: string, registries: readonly RegistryConfig[]): Promise<boolean> {
    for (const registry of registries) if ((await this.authorize(user, registry)).allowed) return true;
    return false;
  }
}

/** `usergroups.users.list` through a Slack Web API client. */
export function slackUsergroups(client: { usergroups: { users: { list(args: { usergroup: string }): Promise<{ users?: string[] }> } } }): UsergroupLookup {
  return {
    async members(usergroup) {
      return (await client.usergroups.users.list({ usergroup })).users ?? [];
    },
  };
}
