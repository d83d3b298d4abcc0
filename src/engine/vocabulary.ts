// The fixed words of DESIGN.md: tests, the JSON output and the evaluation use exactly these.

export const PROVIDERS = ['ecr', 'gar', 'gcr', 'acr', 'dockerhub', 'ghcr', 'other'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const CATEGORIES = [
  'auth_missing',
  'auth_expired',
  'permission_denied',
  'repo_not_found',
  'tag_immutable',
  'repo_locked',
  'quota_exceeded',
  'rate_limited',
  'firewall_denied',
  'network',
  'blob_upload',
  'manifest_invalid',
  'image_not_found_locally',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const PROBE_STATUSES = ['ok', 'failed', 'skipped', 'timeout', 'error'] as const;
export type ProbeStatus = (typeof PROBE_STATUSES)[number];

export function isProvider(value: string): value is Provider {
  return (PROVIDERS as readonly string[]).includes(value);
}

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}
