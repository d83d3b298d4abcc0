// Which channel an alert goes to: the first matching route of the configuration (registry, repository glob,
// pipeline glob), else the webhook's own `channel` when the configuration allows overrides, else ALERT_CHANNEL.
// Pure.
import type { RegistryConfig, RouteConfig } from '../config/schema.js';

export interface RouteInput {
  host: string;
  repository: string;
  pipeline: string | undefined;
  /** The channel the webhook asked for. */
  requested: string | undefined;
}

export interface RoutingTable {
  routes: readonly RouteConfig[];
  registries: readonly Pick<RegistryConfig, 'name' | 'host'>[];
  allowChannelOverride: boolean;
  defaultChannel: string | undefined;
}

const globCache = new Map<string, RegExp>();

/** `*` within one path segment, `**` across segments, `?` one character; the whole string must match. */
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (re) return re;
  let out = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` is zero or more whole segments; a trailing `**` anything.
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  re = new RegExp(`^${out}$`);
  globCache.set(glob, re);
  return re;
}

export function routeAlert(table: RoutingTable, input: RouteInput): string | undefined {
  const hostOf = new Map(table.registries.map((r) => [r.name, r.host]));
  for (const route of table.routes) {
    if (route.registry !== undefined && hostOf.get(route.registry) !== input.host) continue;
    if (route.repository !== undefined && !globToRegExp(route.repository).test(input.repository)) continue;
    if (route.pipeline !== undefined && (input.pipeline === undefined || !globToRegExp(route.pipeline).test(input.pipeline))) continue;
    return route.channel;
  }
  if (table.allowChannelOverride && input.requested) return input.requested;
  return table.defaultChannel;
}
