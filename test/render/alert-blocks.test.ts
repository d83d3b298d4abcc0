// The messages of a CI alert's thread and of a preflight, checked against Slack's documented limits (the
// validator in slack-limits.ts) and golden: the parent open, muted and resolved; the diagnosis with its
// buttons, as the alert worker renders it; the "new pipelines" reply and the resolved note.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GroupState } from '../../src/alerts/alert-groups.js';
import { alertFingerprint } from '../../src/alerts/fingerprint.js';
import { renderAlertParent, renderAlertResolvedNote, renderMuteAck, renderPipelinesReply } from '../../src/alerts/render-alert.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { renderDiagnosisBlocks } from '../../src/render/slack/blocks.js';
import { renderPreflightBlocks } from '../../src/render/slack/preflight.js';
import { acrFirewallWithProbes, ecrPermissionDenied, hostile } from './fixtures.js';
import { slackProblems } from './slack-limits.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const ID = 'al_0123456789abcdef';
const AT = Date.UTC(2026, 10, 30, 6, 0, 0);
const actionIds = (message: { blocks: unknown[] }) => [...JSON.stringify(message.blocks).matchAll(/"action_id":"([^"]+)"/g)].map((m) => m[1]);

const log = readFileSync(new URL('../../examples/ecr-push-denied.log', import.meta.url), 'utf8');
const diagnosis = diagnose({ log });
const fingerprint = alertFingerprint(diagnosis)!;
const group = (extra: Partial<GroupState> = {}): GroupState => ({
  id: 'g0123456789abcdef',
  meta: { fingerprint, channel: 'C0ALERTS', provider: diagnosis.provider, title: diagnosis.findings[0]!.title, answerId: ID },
  count: 12,
  pipelines: 4,
  first: AT - 3_600_000,
  last: AT,
  ...extra,
});

describe('alert thread: golden', () => {
  it('examples/ecr-push-denied.log as a CI alert: the parent open, muted and resolved; the diagnosis with its buttons', async () => {
    const thread = {
      parent: renderAlertParent(group(), undefined),
      muted: renderAlertParent(group(), { by: 'U0MUTER', at: AT }),
      resolved: renderAlertParent(group({ resolved: { by: 'U0FIXER', at: AT } }), undefined),
      diagnosis: renderDiagnosisBlocks(diagnosis, { answerId: ID }),
      pipelines: renderPipelinesReply([{ name: 'api-nightly', runId: '7', url: 'https://ci.example.com/job/7' }]),
      resolvedNote: renderAlertResolvedNote('U0FIXER', AT, true),
      muteAck: renderMuteAck(fingerprint.id, 'resolved', 2),
    };
    for (const [name, message] of Object.entries(thread)) expect(slackProblems(message), name).toEqual([]);
    expect(actionIds(thread.parent)).toEqual(['rd.mute.1', 'rd.mute.2', 'rd.mute.3']);
    expect(actionIds(thread.muted)).toEqual(['rd.unmute']);
    expect(actionIds(thread.resolved)).toEqual([]);
    expect(actionIds(thread.diagnosis)).toEqual(['rd.rerun', 'rd.resolve', 'rd.wrong_cause', 'rd.evidence']);
    expect(JSON.stringify(thread.resolved)).toMatch(/Resolved by <@U0FIXER> <!date\^\d+\^/);
    await expect(json(thread)).toMatchFileSnapshot('./__snapshots__/thread.alert-ecr-push-denied.json');
  });
});

describe('alert thread: limits', () => {
  it('hostile titles, hosts and repositories render harmlessly in every state', () => {
    const evil = '<!channel> <https://evil.example|click> & `x` ```' + 'é'.repeat(5000);
    const state = group({ meta: { ...group().meta, title: evil, fingerprint: { ...fingerprint, host: '<!here>', repository: evil } } });
    for (const message of [renderAlertParent(state, undefined), renderAlertParent(state, { by: 'U0X', at: AT, until: AT + 1 }), renderAlertParent({ ...state, resolved: { by: 'U0Y', at: AT } }, undefined)]) {
      expect(slackProblems(message)).toEqual([]);
    }
  });

  it('the diagnosis of any alert, with its buttons, stays within every limit (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(ecrPermissionDenied, acrFirewallWithProbes, hostile), fc.string({ maxLength: 20 }).map((s) => `al_${s.replace(/[^A-Za-z0-9_-]/g, 'x')}xxxxxxxx`), (d, id) => {
        expect(slackProblems(renderDiagnosisBlocks(d, { answerId: id }))).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });
});

describe('preflight reply', () => {
  it.each(['push_allowed', 'push_blocked', 'unknown'] as const)('%s mentions the person who asked, in the text and the first block', (verdict) => {
    const message = renderPreflightBlocks(verdict === 'push_blocked' ? ecrPermissionDenied : acrFirewallWithProbes, verdict, { user: 'U0ASKER' });
    expect(slackProblems(message)).toEqual([]);
    expect(message.text).toMatch(/^<@U0ASKER> Preflight: /);
    const first = message.blocks[0]!;
    expect(first.type === 'section' && first.text?.text).toMatch(/^<@U0ASKER> :/);
    expect(JSON.stringify(message).match(/<@U0ASKER>/g)).toHaveLength(2);
  });

  it('mentions nobody without a user, and never a malformed one', () => {
    expect(renderPreflightBlocks(acrFirewallWithProbes, 'push_allowed').text).toBe('Preflight: a push would succeed');
    expect(renderPreflightBlocks(acrFirewallWithProbes, 'push_allowed', { user: '<!channel>' }).text).toBe('Preflight: a push would succeed');
  });
});
