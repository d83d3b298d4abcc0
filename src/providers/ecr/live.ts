// The live part of the ecr adapter: probes (SDK calls), loaded only through src/probes/load-live.ts.
import type { ProbeDefinition } from '../../probes/types.js';

export const probes: readonly ProbeDefinition[] = [];
