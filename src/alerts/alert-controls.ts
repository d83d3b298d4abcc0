// What people do to an alert from Slack: mute and unmute a fingerprint (buttons on the alert, `/registry
// mute|unmute`), resolve an alert (its diagnosis' Resolved button), read the log its latest failure left (Re-run).
// Stored in Redis, then every thread concerned is re-rendered by a refresh job (the worker posts; the listener
// only acks).
import { REFRESH_JOB, type AlertQueue } from './alert-job.js';
import type { AlertGroups, ResolveOutcome } from './alert-groups.js';
import { MUTE_MS, type MuteDuration } from './render-alert.js';

export const FINGERPRINT_ID = /^[0-9a-f]{20}$/;

export interface AlertControls {
  mute(fingerprint: string, duration: MuteDuration, by: string): Promise<{ until: number | undefined; threads: number }>;
  unmute(fingerprint: string): Promise<{ wasMuted: boolean; threads: number }>;
  /** Mark the alert resolved, close it (the next failure opens a new alert) and end a mute "until resolved". */
  resolve(group: string, by: string): Promise<ResolveOutcome>;
  /** The redacted log of the group's latest failure (undefined once the group has expired). */
  latestLog(group: string): Promise<string | undefined>;
}

export function createAlertControls(groups: AlertGroups, queue: AlertQueue): AlertControls {
  const refresh = (group: string, at: number) => queue.add(REFRESH_JOB, { kind: 'alert-refresh', group }, { jobId: `r${group}m${at}` });
  async function refreshAll(fingerprint: string): Promise<number> {
    const gids = await groups.currentGroups(fingerprint);
    const at = Date.now();
    await Promise.all(gids.map((group) => refresh(group, at)));
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
    async resolve(group, by) {
      const state = await groups.state(group);
      if (!state) return { outcome: 'gone' };
      const result = await groups.resolve(group, state.meta, { by, at: Date.now() });
      if (result.outcome !== 'resolved') return result;
      // The resolved group is no longer current: refreshed by name. A mute that ended shows on the others.
      await refresh(group, Date.now());
      if (result.muteEnded) await refreshAll(state.meta.fingerprint.id);
      return result;
    },
    async latestLog(group) {
      return groups.getField(group, 'log');
    },
  };
}
