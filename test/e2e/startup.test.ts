// Start-up refuses what cannot work: one line on stderr, exit 2, never a silent "ready".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOT_TOKEN, buildApp, ROOT, SIGNING_SECRET } from '../fakes/app-process.js';

const dir = mkdtempSync(join(tmpdir(), 'rd-startup-'));
const config = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
const valid = join(ROOT, 'test/config/fixtures/no-registries.yml');

function start(env: Record<string, string>) {
  return spawnSync(process.execPath, [buildApp()], {
    env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, PORT: '0', REGISTRY_DOCTOR_CONFIG: valid, REDIS_URL: 'redis://127.0.0.1:1', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('start-up refuses', () => {
  it.each([
    ['a config path that does not exist', { REGISTRY_DOCTOR_CONFIG: join(dir, 'registry-docter.yml') }, /registry-docter\.yml does not exist/],
    ['a config path with a trailing space', { REGISTRY_DOCTOR_CONFIG: `${valid} ` }, /REGISTRY_DOCTOR_CONFIG: has spaces around it/],
    ['a REDIS_URL that is not a URL', { REDIS_URL: 'not a url' }, /REDIS_URL/],
    ['a bot token with a newline in it', { SLACK_BOT_TOKEN: 'xoxb-123-456\nabc' }, /SLACK_BOT_TOKEN: contains a space or a line break/],
    ['a signing secret with a space', { SLACK_SIGNING_SECRET: 'abc def' }, /SLACK_SIGNING_SECRET: contains a space or a line break/],
    ['a billion-laughs YAML', { REGISTRY_DOCTOR_CONFIG: config('laughs.yml', laughs) }, /not valid YAML/],
    ['a wrong type, named as such', { REGISTRY_DOCTOR_CONFIG: config('type.yml', 'registries:\n  - name: 12\n    provider: ecr\n    host: x.io\n') }, /registries\[0\]\.name: expected string, got number/],
  ])('%s: one line on stderr, exit 2', (_name, env, message) => {
    const run = start(env);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stdout).not.toMatch(/listening|ready/);
  });
});
