// Configuration: YAML + env → typed config, and messages that name the bad key and the fix.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cloudSettings } from '../../src/config/cloud-env.js';
import { loadSettings, parseRole } from '../../src/config/env.js';
import { ConfigError, loadConfigFile, parseConfigText } from '../../src/config/load-config.js';

const fixtures = join(import.meta.dirname, 'fixtures');

function problems(yaml: string): string[] {
  try {
    parseConfigText(yaml, 'test.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('config file', () => {
  it('loads a valid file with defaults filled in', async () => {
    const { config, source } = await loadConfigFile(join(fixtures, 'valid.yml'));
    expect(source).toContain('valid.yml');
    expect(config.registries.map((r) => r.name)).toEqual(['prod-ecr', 'ghcr']);
    expect(config.registries[1]!.fixers).toEqual({ users: [], usergroups: [] });
    expect(config.registries[0]!.credentials?.probe?.secretAccessKey).toBe('ECR_PROBE_SECRET_ACCESS_KEY');
    expect(config.routing[0]).toEqual({ registry: 'prod-ecr', repository: 'team-a/*', channel: 'C0TEAMA' });
  });

  it('registry-doctor.example.yml is valid', async () => {
    const { config } = await loadConfigFile(join(import.meta.dirname, '../../registry-doctor.example.yml'));
    expect(config.registries.map((r) => r.provider)).toEqual(['ecr', 'gar', 'gcr', 'acr', 'ghcr']);
    expect(config.routing).toHaveLength(2);
  });

  it('no file at all → no registries', async () => {
    const { config, source } = await loadConfigFile(join(fixtures, 'missing.yml'));
    expect(source).toBeUndefined();
    expect(config).toEqual({ registries: [], routing: [], alerts: { allowChannelOverride: false }, fixes: { dryRun: false, planTtlMinutes: 60 } });
  });

  it('an empty file is fine', () => {
    expect(parseConfigText('', 'empty.yml')).toEqual({ registries: [], routing: [], alerts: { allowChannelOverride: false }, fixes: { dryRun: false, planTtlMinutes: 60 } });
  });

  it('a bad provider names the key and the allowed values', async () => {
    await expect(loadConfigFile(join(fixtures, 'bad-provider.yml'))).rejects.toThrow(/registries\[0\]\.provider: .*must be one of: ecr, gar, gcr, acr, dockerhub, ghcr, other/);
  });

  it('an unknown key is named with its path', () => {
    expect(problems('registries:\n  - name: a\n    provider: ecr\n    host: x.io\n    regoin: us-east-1\n')).toEqual([
      'registries[0].regoin: unknown key; remove it or check its spelling',
    ]);
    expect(problems('registry:\n  - name: a\n')[0]).toBe('registry: unknown key; remove it or check its spelling');
  });

  it('a missing required key says so', () => {
    expect(problems('registries:\n  - name: a\n    provider: ecr\n')).toEqual(['registries[0].host: required (string); add it']);
  });

  it('a secret written into the file is refused, with the fix', () => {
    const [problem] = problems(
      'registries:\n  - name: a\n    provider: ecr\n    host: x.io\n    credentials:\n      probe:\n        accessKeyId: AKIAIOSFODNN7EXAMPLE\n',
    );
    expect(problem).toMatch(/^registries\[0\]\.credentials\.probe\.accessKeyId: looks like a secret value: put the secret in an environment variable/);
    const [lower] = problems('registries:\n  - name: a\n    provider: ghcr\n    host: ghcr.io\n    credentials:\n      probe:\n        password: hunter2\n');
    expect(lower).toMatch(/credentials\.probe\.password: must be the NAME of an environment variable/);
  });

  it('slack ids, hosts and route references are checked', () => {
    const out = problems(
      [
        'registries:',
        '  - name: a',
        '    provider: ecr',
        '    host: https://x.io/v2',
        '    fixers: { users: ["@alice"] }',
        '  - name: a',
        '    provider: ghcr',
        '    host: ghcr.io',
        'routing:',
        '  - registry: nope',
        '    channel: "#builds"',
      ].join('\n'),
    );
    expect(out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^registries\[0\]\.host: must be a lower-case host name/),
        expect.stringMatching(/^registries\[0\]\.fixers\.users\[0\]: must be a Slack user id/),
        expect.stringMatching(/^routing\[0\]\.channel: must be a Slack channel id/),
      ]),
    );
    const refs = problems('registries:\n  - {name: a, provider: ecr, host: x.io}\n  - {name: a, provider: ecr, host: y.io}\nrouting:\n  - {registry: nope, channel: C0X}\n');
    expect(refs).toEqual([
      expect.stringMatching(/^registries\[1\]\.name: duplicate registry name "a"/),
      expect.stringMatching(/^routing\[0\]\.registry: names no registry "nope"/),
    ]);
  });

  it('YAML syntax errors are reported as such', () => {
    expect(problems('registries: [\n')[0]).toBeTruthy();
    expect(() => parseConfigText('a: 1\na: 2\n', 'dup.yml')).toThrow(/not valid YAML/);
  });
});

describe('environment', () => {
  const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };

  it('defaults', () => {
    const s = loadSettings(base, []);
    expect(s).toMatchObject({ role: 'all', redis: { kind: 'single', url: 'redis://127.0.0.1:6379' }, queuePrefix: 'registry-doctor', port: 3000, configPath: 'registry-doctor.yml', admin: undefined });
    expect(s.slack.apiUrl).toBeUndefined();
  });

  it('roles', () => {
    expect(parseRole(['--role', 'web'])).toBe('web');
    expect(parseRole(['--role=worker'])).toBe('worker');
    expect(() => parseRole(['--role', 'both'])).toThrow(/--role must be one of all, web, worker/);
  });

  it('HTTP mode needs the signing secret; Socket Mode the app token; a worker neither', () => {
    expect(() => loadSettings({ SLACK_BOT_TOKEN: 'x' }, [])).toThrow(/SLACK_SIGNING_SECRET/);
    expect(loadSettings({ SLACK_BOT_TOKEN: 'x', SLACK_APP_TOKEN: 'xapp-1' }, []).slack.appToken).toBe('xapp-1');
    expect(loadSettings({ SLACK_BOT_TOKEN: 'x' }, ['--role', 'worker']).role).toBe('worker');
    expect(() => loadSettings({}, ['--role', 'worker'])).toThrow(/SLACK_BOT_TOKEN/);
  });

  it('bad values name the variable', () => {
    expect(() => loadSettings({ ...base, PORT: 'eighty' }, [])).toThrow(/PORT/);
    expect(() => loadSettings({ ...base, SLACK_API_URL: 'not a url' }, [])).toThrow(/SLACK_API_URL/);
    expect(() => loadSettings({ ...base, ADMIN_USER: 'admin' }, [])).toThrow(/ADMIN_USER and ADMIN_PASSWORD together/);
  });

  it('AZURE_AUTHORITY_HOST must be an https URL; the probes read it through cloudSettings', () => {
    expect(() => loadSettings({ ...base, AZURE_AUTHORITY_HOST: 'login.example.com' }, [])).toThrow(/AZURE_AUTHORITY_HOST: must be an https URL/);
    expect(() => loadSettings({ ...base, AZURE_AUTHORITY_HOST: 'http://127.0.0.1:9' }, [])).toThrow(/AZURE_AUTHORITY_HOST/);
    expect(() => loadSettings({ ...base, AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us' }, [])).not.toThrow();
    expect(cloudSettings({ AZURE_AUTHORITY_HOST: ' https://login.microsoftonline.us ' })).toEqual({ azureAuthorityHost: 'https://login.microsoftonline.us' });
    expect(cloudSettings({ AZURE_AUTHORITY_HOST: '' })).toEqual({});
  });

  it('SLACK_API_URL gets its trailing slash; admin credentials pair up', () => {
    const s = loadSettings({ ...base, SLACK_API_URL: 'http://127.0.0.1:9/api', ADMIN_USER: 'a', ADMIN_PASSWORD: 'b' }, []);
    expect(s.slack.apiUrl).toBe('http://127.0.0.1:9/api/');
    expect(s.admin).toEqual({ user: 'a', password: 'b' });
  });
});

describe('fixes settings', () => {
  it('validates the audit channel and the plan TTL', () => {
    expect(parseConfigText('fixes: { dryRun: true, auditChannel: C012AUDIT, planTtlMinutes: 15 }', 'f.yml').fixes).toEqual({ dryRun: true, auditChannel: 'C012AUDIT', planTtlMinutes: 15 });
    expect(() => parseConfigText('fixes: { auditChannel: "#audit" }', 'f.yml')).toThrow(/fixes.auditChannel: must be a Slack channel id/);
    expect(() => parseConfigText('fixes: { planTtlMinutes: 0 }', 'f.yml')).toThrow(/fixes.planTtlMinutes/);
  });

  it('ECR repository defaults: ECR\'s own filled in, bad values named', () => {
    const entry = (defaults: string) => `registries: [{ name: r, provider: ecr, host: 123456789012.dkr.ecr.us-east-1.amazonaws.com, repositoryDefaults: ${defaults} }]`;
    expect(parseConfigText(entry('{ tags: { team: shop } }'), 'f.yml').registries[0]!.repositoryDefaults).toEqual({ scanOnPush: false, imageTagMutability: 'MUTABLE', encryption: 'AES256', tags: { team: 'shop' } });
    expect(() => parseConfigText(entry('{ imageTagMutability: LOCKED }'), 'f.yml')).toThrow(/registries\[0\]\.repositoryDefaults\.imageTagMutability/);
    expect(() => parseConfigText(entry('{ kmsKey: k }'), 'f.yml')).toThrow(/kmsKey/);
  });
});
