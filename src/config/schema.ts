// The YAML configuration file of DESIGN.md: registries, who may fix them, and alert routing.
import { z } from 'zod';
import { redact } from '../engine/redact.js';
import { PROVIDERS } from '../engine/vocabulary.js';

/** An environment variable NAME. Secrets never live in the YAML file, only the names of the variables holding them. */
const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable (upper case, digits, _) holding the secret, not the secret itself')
  .refine((value) => !/^(AKIA|ASIA)[A-Z0-9]{16}$/.test(value) && redact(value) === value, {
    message: 'looks like a secret value: put the secret in an environment variable and write that variable\'s NAME here',
  });

/** Credential fields for one purpose (`username`, `password`, `accessKeyId`, …), each naming an env variable. */
const credentialSet = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'credential field names are words like username, password, accessKeyId'), envVarName);

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id such as U012ABCDEF (not a name or @handle)');
const slackUsergroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user group id such as S012ABCDEF (not a @handle)');
const slackChannelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel id such as C012ABCDEF (not #name)');

export const registrySchema = z.strictObject({
  /** A short name people use: `prod-ecr`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be lower case letters, digits, ".", "_" or "-" (at most 63)'),
  provider: z.enum(PROVIDERS),
  /** Registry host as in an image reference, port kept: `123456789012.dkr.ecr.us-east-1.amazonaws.com`. */
  host: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/, 'must be a lower-case host name, optionally with :port, without a scheme or path'),
  /** ECR region, Artifact Registry location. */
  region: z.string().min(1).optional(),
  /** ECR account id, GCP project, ACR registry name — whatever the provider calls the owner. */
  account: z.string().min(1).optional(),
  /** ACR: the Azure subscription id and resource group that hold the registry (the ARM probes need both). */
  subscription: z.guid({ error: 'must be an Azure subscription id (a GUID)' }).optional(),
  resourceGroup: z
    .string()
    .regex(/^[\w().-]{1,90}$/, 'must be an Azure resource group name (letters, digits, _ ( ) . -, at most 90)')
    .optional(),
  /** Plain http for this host, as Docker's `insecure-registries` allows; otherwise only loopback hosts. */
  insecure: z.boolean().default(false),
  /** How long each probe of this registry may take, in milliseconds (default 10 000). */
  probeTimeoutMs: z.int().min(100).max(120_000).optional(),
  /** Override of the cloud API base URL (private endpoints; local fakes in tests). */
  endpoint: z.url({ error: 'must be an absolute URL such as https://api.ecr.us-east-1.amazonaws.com' }).optional(),
  /** Env-variable names of the read-only probe credentials and of the (separate) fix credentials. */
  credentials: z
    .strictObject({
      probe: credentialSet.optional(),
      fix: credentialSet.optional(),
    })
    .optional(),
  /** ECR: the settings of a repository the create-repository fix makes (ECR's own defaults otherwise). */
  repositoryDefaults: z
    .strictObject({
      scanOnPush: z.boolean().default(false),
      imageTagMutability: z.enum(['MUTABLE', 'IMMUTABLE']).default('MUTABLE'),
      encryption: z.enum(['AES256', 'KMS']).default('AES256'),
      tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
    })
    .optional(),
  /** Who may run fix buttons for this registry. Nobody when empty. */
  fixers: z
    .strictObject({
      users: z.array(slackUserId).default([]),
      usergroups: z.array(slackUsergroupId).default([]),
    })
    .default({ users: [], usergroups: [] }),
});

/** Credential fields each provider reads (for `probe` and `fix` alike). */
export const CREDENTIAL_FIELDS: Record<z.infer<typeof registrySchema>['provider'], readonly string[]> = {
  ecr: ['accessKeyId', 'secretAccessKey', 'sessionToken'],
  gar: ['serviceAccountJson', 'accessToken'],
  gcr: ['serviceAccountJson', 'accessToken'],
  acr: ['tenantId', 'clientId', 'clientSecret', 'subscriptionId', 'username', 'password'],
  dockerhub: ['username', 'password'],
  ghcr: ['username', 'password'],
  other: ['username', 'password'],
};

/** Fields that only work together. */
const CREDENTIAL_PAIRS: readonly (readonly [string, string])[] = [
  ['accessKeyId', 'secretAccessKey'],
  ['username', 'password'],
  ['clientId', 'clientSecret'],
];

export const routeSchema = z.strictObject({
  /** A registry `name` from `registries`; any registry when absent. */
  registry: z.string().optional(),
  /** Glob over the repository path: `team-a/*`, `**`. */
  repository: z.string().min(1).optional(),
  /** Glob over the CI pipeline name. */
  pipeline: z.string().min(1).optional(),
  channel: slackChannelId,
});

export const fileConfigSchema = z
  .strictObject({
    registries: z.array(registrySchema).default([]),
    routing: z.array(routeSchema).default([]),
    fixes: z
      .strictObject({
        /** Buttons say what they would change, and change nothing. */
        dryRun: z.boolean().default(false),
        /** Every fix attempt is also posted here (the audit stream in Redis is kept either way). */
        auditChannel: slackChannelId.optional(),
        /** How long a planned fix can be clicked, in minutes. */
        planTtlMinutes: z.int().min(1).max(7 * 24 * 60).default(60),
      })
      .default({ dryRun: false, planTtlMinutes: 60 }),
    alerts: z
      .strictObject({
        /** Honour the `channel` a CI webhook asks for (after the routes). Off: a pipeline cannot pick a channel. */
        allowChannelOverride: z.boolean().default(false),
      })
      .default({ allowChannelOverride: false }),
  })
  .superRefine((config, ctx) => {
    const names = new Map<string, number>();
    config.registries.forEach((registry, index) => {
      const first = names.get(registry.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['registries', index, 'name'],
          message: `duplicate registry name "${registry.name}" (also registries[${first}].name); give each registry its own name`,
        });
      } else names.set(registry.name, index);
      for (const purpose of ['probe', 'fix'] as const) {
        const set = registry.credentials?.[purpose];
        if (!set) continue;
        const allowed = CREDENTIAL_FIELDS[registry.provider];
        for (const field of Object.keys(set)) {
          if (!allowed.includes(field)) {
            ctx.addIssue({
              code: 'custom',
              path: ['registries', index, 'credentials', purpose, field],
              message: `not a credential field for provider ${registry.provider}; use ${allowed.join(', ')}`,
            });
          }
        }
        for (const [a, b] of CREDENTIAL_PAIRS) {
          const missing = a in set && !(b in set) ? b : b in set && !(a in set) ? a : undefined;
          if (missing) {
            ctx.addIssue({
              code: 'custom',
              path: ['registries', index, 'credentials', purpose],
              message: `${a} and ${b} go together; add ${missing}`,
            });
          }
        }
      }
    });
    config.routing.forEach((route, index) => {
      if (route.registry !== undefined && !names.has(route.registry)) {
        ctx.addIssue({
          code: 'custom',
          path: ['routing', index, 'registry'],
          message: `names no registry "${route.registry}"; use one of the registries[].name values${names.size ? ` (${[...names.keys()].join(', ')})` : ''} or remove the key`,
        });
      }
    });
  });

export type RegistryConfig = z.infer<typeof registrySchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
export type FileConfig = z.infer<typeof fileConfigSchema>;
