// STUB — the registry of provider adapters, one per folder.
import type { ProviderAdapter } from './types.js';

export const providerAdapters: readonly ProviderAdapter[] = [];
