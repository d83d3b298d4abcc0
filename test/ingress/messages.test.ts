// Slack views built by the bot (not the thread reply): escaping, limits, and the modal's shape.
import { describe, expect, it } from 'vitest';
import {
  buildDiagnoseModal,
  renderHelp,
  renderHome,
  renderPrivateNote,
  renderParentMessage,
  renderStatus,
  renderUsage,
} from '../../src/render/slack/messages.js';

const hostile = '<!channel> <https://evil.example|click> <@U0BOSS> @here `x` ```';

describe('parent message', () => {
  it('shows each status; once done it is the answer, never a tick; resolved says who and when', () => {
    const base = { user: 'U0ALICE', jobId: '7', source: 'command' as const, image: 'ghcr.io/acme/app:1' };
    expect(renderParentMessage({ ...base, status: 'queued' }).text).toMatch(/queued/);
    expect(JSON.stringify(renderParentMessage({ ...base, status: 'diagnosing' }).blocks)).toMatch(/Diagnosing/);
    const answer = ':red_circle: *Push failed:* role `ci` may not push to `app`. First: `aws iam put-role-policy`';
    const done = renderParentMessage({ ...base, status: 'done', answer });
    expect(done.text).toBe(`<@U0ALICE> ${answer}`);
    expect(JSON.stringify(done)).not.toMatch(/white_check_mark|✅|done/);
    const resolved = renderParentMessage({ ...base, status: 'done', answer, resolved: { by: 'U0BOB', at: Date.UTC(2026, 0, 2, 3, 4) } });
    expect(JSON.stringify(resolved.blocks)).toContain(':white_check_mark: *Resolved* by <@U0BOB> <!date^1767323040^{date_short_pretty} {time}|2026-01-02 03:04 UTC>');
    const failed = renderParentMessage({ ...base, status: 'failed', attempts: 4, error: 'Slack API error http_500' });
    expect(failed.text).toBe(':x: Diagnosis could not be completed for `ghcr.io/acme/app:1` after 4 attempts');
  });

  it('escapes whatever the user or the log supplied', () => {
    const msg = renderParentMessage({
      user: 'U0ALICE',
      jobId: '1',
      source: 'command',
      image: hostile,
      registry: hostile,
      status: 'failed',
      error: hostile,
    });
    const json = JSON.stringify(msg);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<https://evil.example|click>');
    expect(json).not.toContain('<@U0BOSS>');
    expect(json).toContain('<@U0ALICE>'); // our own mention of the requester stays
  });
});

describe('other views', () => {
  const registries = [{ name: 'prod-ecr', provider: 'ecr' as const, host: '1.dkr.ecr.us-east-1.amazonaws.com' }];

  it('status: the ack while credentials are checked, then each registry’s answer, escaped', () => {
    expect(renderStatus(registries).text).toBe('Checking 1 configured registry…');
    expect(renderStatus([]).text).toMatch(/No registries are configured/);
    const answered = renderStatus(registries, [
      { registry: registries[0]!, probe: 'ecr.identity', status: 'failed', durationMs: 41.6, detail: 'refused <!channel> *bold*' },
    ]);
    expect(answered.text).toBe('Registry status: 0 of 1 OK');
    const text = JSON.stringify(answered.blocks);
    expect(text).toContain(':x: `prod-ecr` — Amazon ECR `1.dkr.ecr.us-east-1.amazonaws.com`: failed (`ecr.identity`, 42 ms)');
    expect(text).not.toContain('<!channel>');
  });

  it('status, the modal and App Home name each registry as people know it; one of no known provider by its host', () => {
    const mixed = [
      ...registries,
      { name: 'shop', provider: 'gcr' as const, host: 'eu.gcr.io' },
      { name: 'public', provider: 'ecr' as const, host: 'public.ecr.aws' },
      { name: 'lab', provider: 'other' as const, host: 'registry.example.com:5000' },
    ];
    const listed = [
      '• `prod-ecr` — Amazon ECR `1.dkr.ecr.us-east-1.amazonaws.com`',
      '• `shop` — Google Container Registry `eu.gcr.io`',
      '• `public` — Amazon ECR Public `public.ecr.aws`',
      '• `lab` — `registry.example.com:5000`',
    ].join('\n');
    expect(JSON.stringify(renderStatus(mixed).blocks)).toContain(JSON.stringify(listed).slice(1, -1));
    expect(JSON.stringify(renderHome([], mixed))).toContain(JSON.stringify(listed).slice(1, -1));
    const answered = JSON.stringify(renderStatus(mixed.slice(3), [{ registry: mixed[3]!, probe: 'oci.ping', status: 'ok', durationMs: 5, detail: 'answered' }]).blocks);
    expect(answered).toContain(':white_check_mark: `lab` — `registry.example.com:5000`: ok (`oci.ping`, 5 ms)');
    type Select = { element: { type: string; options?: { text: { text: string } }[] } };
    const modal = JSON.parse(JSON.stringify(buildDiagnoseModal(mixed, { channel: 'C0X', command: '/registry' }))) as { blocks: Select[] };
    const picker = modal.blocks.find((b) => b.element.type === 'static_select')!.element.options!;
    expect(picker.map((o) => o.text.text)).toEqual(['Any / detect from the log', 'prod-ecr (Amazon ECR)', 'shop (Google Container Registry)', 'public (Amazon ECR Public)', 'lab (registry.example.com:5000)']);
  });

  it('usage and help escape the command name and unknown word', () => {
    const usage = JSON.stringify(renderUsage('/registry', '<!everyone>'));
    expect(usage).not.toContain('<!everyone>');
    expect(JSON.stringify(renderHelp('/registry', registries))).toContain('prod-ecr');
    expect(renderPrivateNote('not_in_channel', 'not_in_channel', '/registry')).toContain('/invite @registry-doctor');
    // Placeholders Slack would eat as markup (`<image>`) are written another way, even in code.
    expect(JSON.stringify([renderUsage('/registry'), renderHelp('/registry', registries), renderHome([], registries)])).not.toMatch(/<(?!@|#|!|https:)[a-z-]+>/i);
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
    const recent = Array.from({ length: 60 }, (_, i) => ({ jobId: String(i), at: Date.now(), user: 'U0A', channel: 'C0B', category: 'other', title: hostile, image: hostile, permalink: 'https://evil.example/x' }));
    const view = renderHome(recent, registries);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const json = JSON.stringify(view);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<https://evil.example');
    expect(json).not.toContain('Open the thread');
  });

  it('App Home: each diagnosis in plain words, a link to its thread, and whether it was resolved', () => {
    const base = { at: Date.now() - 120_000, user: 'U0A', channel: 'C0B', parentTs: '1.2' };
    const view = renderHome(
      [
        { ...base, jobId: '1', category: 'permission_denied', permalink: 'https://fake.slack.com/archives/C0B/p12', resolved: { by: 'U0C', at: Date.now() } },
        { ...base, jobId: '2', category: 'tag_immutable', permalink: 'https://fake.slack.com/archives/C0B/p13' },
      ],
      registries,
    );
    const json = JSON.stringify(view);
    expect(json).toContain('*Not allowed to push there*');
    expect(json).toContain('<https://fake.slack.com/archives/C0B/p12|Open the thread>');
    expect(json).toMatch(/resolved by <@U0C>/);
    expect(json).toContain('*Tag already exists and may not move*');
    expect(json).toContain(':red_circle: open');
    expect(json).not.toMatch(/permission_denied|tag_immutable/);
  });
});
