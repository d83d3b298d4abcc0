// The cloud SDKs' own environment variables that the bot's code must know too, validated here (main.ts refuses
// to start on a bad value through envSchema) so no probe or fix module reads the environment itself.
import { z } from 'zod';

export const cloudEnvShape = {
  /** Entra ID's host when it is not Microsoft's public cloud (a sovereign cloud, Azure Stack Hub, a proxy). */
  AZURE_AUTHORITY_HOST: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .pipe(z.url({ protocol: /^https$/, error: 'must be an https URL such as https://login.microsoftonline.us' }).optional()),
};

const cloudEnvSchema = z.object(cloudEnvShape);

export interface CloudSettings {
  azureAuthorityHost?: string;
}

/** The cloud settings of an environment; a value envSchema would refuse is left out (the SDK's default applies). */
export function cloudSettings(env: Readonly<Record<string, string | undefined>>): CloudSettings {
  const host = cloudEnvSchema.shape.AZURE_AUTHORITY_HOST.safeParse(env.AZURE_AUTHORITY_HOST);
  return host.success && host.data ? { azureAuthorityHost: host.data } : {};
}
