// The live part of the acr adapter: probes (SDK calls), loaded only through src/probes/load-live.ts.
import type { ProbeDefinition } from '../../probes/types.js';

export const probes: readonly ProbeDefinition[] = [];
