// The registries the CLI probes with: --config FILE, else REGISTRY_DOCTOR_CONFIG, else ./registry-doctor.yml.
import { ConfigError, loadConfigFile } from '../config/load-config.js';
import type { RegistryConfig } from '../config/schema.js';
import { CliError, EXIT, type CliIO } from './io.js';

export const DEFAULT_CONFIG_FILE = 'registry-doctor.yml';

export async function loadRegistries(path: string | undefined, io: CliIO): Promise<RegistryConfig[]> {
  const file = path ?? io.env?.REGISTRY_DOCTOR_CONFIG ?? DEFAULT_CONFIG_FILE;
  try {
    const { config, source } = await loadConfigFile(file);
    // A file named on the command line must exist; the default one may be absent (no registries).
    if (source === undefined && path !== undefined) throw new CliError(`cannot read --config '${path}': no such file`, EXIT.usage);
    return config.registries;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}
