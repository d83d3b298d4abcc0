// Slack views built by the bot (not the thread reply): escaping, limits, and the modal's shape.
import { describe, expect, it } from 'vitest';
import {
  buildDiagnoseModal,
  renderHelp,
  renderHome,
  renderInviteHint,
  renderParentMessage,
  renderStatus,
  renderUsage,
} from '../../src/render/slack/messages.js';

const hostile = '<!channel> <https://evil.example|click> <@U0BOSS> @here `x` ```';

describe('parent message', () => {
  it('shows each status, with the top finding once done', () => {
    const base = { user: 'U0ALICE', jobId: '7', source: 'command' as const, image: 'ghcr.io/acme/app:1' };
    expect(renderParentMessage({ ...base, status: 'queued' }).text).toMatch(/queued/);
    expect(JSON.stringify(renderParentMessage({ ...base, status: 'diagnosing' }).blocks)).toMatch(/diagnosing/);
    const done = renderParentMessage({ ...base, status: 'done', top: { category: 'permission_denied', title: 'No push right', confidence: 0.9 }, findingCount: 2 });
    expect(done.text).toBe('Push failure diagnosis: permission_denied: No push right');
    expect(JSON.stringify(done.blocks)).toMatch(/90% sure\) \(\+1 more\)/);
    const failed = renderParentMessage({ ...base, status: 'failed', attempts: 4, error: 'Slack API error http_500' });
    expect(failed.text).toBe('Diagnosis failed after 4 attempts: Slack API error http_500');
  });

  it('escapes whatever the user or the log supplied', () => {
    const msg = renderParentMessage({
      user: 'U0ALICE',
      jobId: '1',
      source: 'command',
      image: hostile,
      registry: hostile,
      status: 'done',
      top: { category: 'other', title: hostile },
    });
    const json = JSON.stringify(msg);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<https://evil.example|click>');
    expect(json).not.toContain('<@U0BOSS>');
    expect(json).toContain('<@U0ALICE>'); // our own mention of the requester stays
  });
});

describe('other views', () => {
  const registries = [{ name: 'prod-ecr', provider: 'ecr', host: '1.dkr.ecr.us-east-1.amazonaws.com' }];

  it('status: the ack while credentials are checked, then each registry’s answer, escaped', () => {
    expect(renderStatus(registries).text).toBe('Checking 1 configured registry…');
    expect(renderStatus([]).text).toMatch(/No registries are configured/);
    const answered = renderStatus(registries, [
      { registry: registries[0]!, probe: 'ecr.identity', status: 'failed', durationMs: 41.6, detail: 'refused <!channel> *bold*' },
    ]);
    expect(answered.text).toBe('Registry status: 0 of 1 OK');
    const text = JSON.stringify(answered.blocks);
    expect(text).toContain(':x: `prod-ecr` — ecr `1.dkr.ecr.us-east-1.amazonaws.com`: failed (`ecr.identity`, 42 ms)');
    expect(text).not.toContain('<!channel>');
  });

  it('usage and help escape the command name and unknown word', () => {
    const usage = JSON.stringify(renderUsage('/registry', '<!everyone>'));
    expect(usage).not.toContain('<!everyone>');
    expect(JSON.stringify(renderHelp('/registry', registries))).toContain('prod-ecr');
    expect(renderInviteHint('/registry').text).toContain('/invite @registry-doctor');
  });

  it('the modal: log max 3,000 characters, registry picker with "any", channel in private_metadata', () => {
    const view = buildDiagnoseModal(registries, { channel: 'C0X', command: '/registry', responseUrl: 'https://hooks.slack.com/x' });
    expect(JSON.parse(view.private_metadata!)).toEqual({ channel: 'C0X', command: '/registry', responseUrl: 'https://hooks.slack.com/x' });
    const json = JSON.stringify(view);
    expect(json).toContain('"max_length":3000');
    expect(json).toContain('__any__');
    expect(json).toContain('prod-ecr');
    expect(JSON.stringify(buildDiagnoseModal([], { channel: 'C0X', command: '/registry' }))).toContain('Any (no registries configured)');
  });

  it('App Home stays within 100 blocks and escapes summaries', () => {
    const recent = Array.from({ length: 60 }, (_, i) => ({ jobId: String(i), at: Date.now(), user: 'U0A', channel: 'C0B', category: 'other', title: hostile }));
    const view = renderHome(recent, registries);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(JSON.stringify(view)).not.toContain('<!channel>');
  });
});
