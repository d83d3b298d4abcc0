// Mute and unmute a fingerprint (buttons on the alert, `/registry mute|unmute`): stored in Redis, then every
// open thread of that fingerprint is re-rendered by a refresh job (the worker posts; the listener only acks).
import { REFRESH_JOB, type AlertQueue } from './alert-job.js';
import type { AlertGroups } from './alert-groups.js';
import { MUTE_MS, type MuteDuration } from './render-alert.js';

export const FINGERPRINT_ID = /^[0-9a-f]{20}$/;

export interface AlertControls {
  mute(fingerprint: string, duration: MuteDuration, by: string): Promise<{ until: number | undefined; threads: number }>;
  unmute(fingerprint: string): Promise<{ wasMuted: boolean; threads: number }>;
}

export function createAlertControls(groups: AlertGroups, queue: AlertQueue): AlertControls {
  async function refreshAll(fingerprint: string): Promise<number> {
    const gids = await groups.currentGroups(fingerprint);
    const at = Date.now();
    await Promise.all(gids.map((group) => queue.add(REFRESH_JOB, { kind: 'alert-refresh', group }, { jobId: `r${group}m${at}` })));
    return gids.length;
  }
  return {
    async mute(fingerprint, duration, by) {
      const ms = MUTE_MS[duration];
      const until = ms === undefined ? undefined : Date.now() + ms;
      await groups.mute(fingerprint, { by, at: Date.now(), ...(until !== undefined ? { until } : {}) });
      return { until, threads: await refreshAll(fingerprint) };
    },
    async unmute(fingerprint) {
      const wasMuted = await groups.unmute(fingerprint);
      return { wasMuted, threads: await refreshAll(fingerprint) };
    },
  };
}
