// Remediation in the words of the client that failed, and with every value the diagnosis already holds.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_TOOLS, detectClientTool } from '../../src/engine/client-tool.js';
import { diagnose } from '../../src/engine/diagnose.js';
import type { Facts } from '../../src/engine/diagnosis.js';
import { parseImageRef } from '../../src/engine/image-ref.js';
import { CATEGORIES, PROVIDERS } from '../../src/engine/vocabulary.js';
import { remediationFor } from '../../src/providers/index.js';
import { CATALOG_IMAGES } from '../render/catalog-diagnoses.js';

const commandsOf = (steps: { command?: string }[]) => steps.flatMap((s) => (s.command ? s.command.split('\n') : []));

describe('detectClientTool', () => {
  it.each([
    ['docker', 'The push refers to repository [ghcr.io/acme/app]'],
    ['buildx', '#14 ERROR: failed to push ghcr.io/acme/api:sha-1: unexpected status from POST request: 401 Unauthorized'],
    ['podman', 'Error: writing blob: initiating layer upload to /v2/acme/app/blobs/uploads/ in quay.io: podman push failed'],
    ['buildah', 'buildah push quay.io/acme/app:1: error copying layers and metadata'],
    ['skopeo', 'time="2024" level=fatal msg="trying to reuse blob" skopeo copy docker://a docker://b'],
    ['crane', 'crane push image.tar ghcr.io/acme/app:1: PUT https://ghcr.io/v2/acme/app/manifests/1: DENIED'],
    ['kaniko', 'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again'],
    ['jib', '[ERROR] Failed to execute goal com.google.cloud.tools:jib-maven-plugin:3.4.0:build (default-cli): Build image failed'],
    ['helm', 'Error: failed to push chart: unexpected status from HEAD request to https://ghcr.io/v2/acme/charts/app/blobs/sha256:1: 403 Forbidden'],
    ['oras', 'Error: failed to push: oras push ghcr.io/acme/artifact:1 denied'],
    ['ko', 'Error: error publishing ghcr.io/acme/app/cmd/app: POST https://ghcr.io/v2/acme/app/blobs/uploads/: UNAUTHORIZED'],
  ] as const)('%s', (tool, line) => {
    expect(detectClientTool([line])).toBe(tool);
  });

  it('prefers the more specific tool when a log names several', () => {
    expect(detectClientTool(['docker login ghcr.io', 'error checking push permissions -- make sure you entered the correct tag name'])).toBe('kaniko');
    expect(detectClientTool(['Step 3: nothing about a tool'])).toBeUndefined();
  });

  it('is a fact of the diagnosis, read from the log', () => {
    const d = diagnose({ log: 'helm push app-1.2.3.tgz oci://ghcr.io/acme/charts\nError: unexpected status from HEAD request to https://ghcr.io/v2/acme/charts/app/manifests/1.2.3: 403 Forbidden' });
    expect(d.facts.tool).toBe('helm');
    expect(commandsOf(d.findings[0]!.remediation).join('\n')).not.toMatch(/^\s*docker |\| docker /m);
  });
});

describe('remediation for the tool that failed', () => {
  const others = CLIENT_TOOLS.filter((t) => t !== 'docker' && t !== 'buildx');

  it.each(others)('%s never gets Docker CLI advice, on any provider and category', (tool) => {
    for (const provider of PROVIDERS) {
      const parsed = parseImageRef(CATALOG_IMAGES[provider]);
      if (!parsed.ok) throw new Error(parsed.error);
      for (const category of CATEGORIES) {
        const facts: Facts = { tool };
        const r = remediationFor({ category, provider, image: parsed.ref, facts });
        for (const command of commandsOf(r.steps)) {
          expect(command, `${tool} ${provider} ${category}`).not.toMatch(/^\s*docker (?!buildx imagetools)|\|\s*docker /);
        }
      }
    }
  });

  it('helm: a taken tag means a new chart version; login is helm registry login with the values known', () => {
    const parsed = parseImageRef('ghcr.io/acme/charts/app:1.2.3');
    if (!parsed.ok) throw new Error(parsed.error);
    const tag = remediationFor({ category: 'tag_immutable', provider: 'other', image: parsed.ref, facts: { tool: 'helm' } });
    expect(commandsOf(tag.steps).join('\n')).toContain('helm package ./CHART_DIR --version NEW_VERSION && helm push CHART-NEW_VERSION.tgz oci://ghcr.io/acme/charts');
    const ecr = parseImageRef(CATALOG_IMAGES.ecr);
    if (!ecr.ok) throw new Error(ecr.error);
    const login = remediationFor({ category: 'auth_expired', provider: 'ecr', image: ecr.ref, facts: { tool: 'helm' } });
    expect(commandsOf(login.steps)).toContain(
      'aws ecr get-login-password --region eu-west-1 | helm registry login 123456789012.dkr.ecr.eu-west-1.amazonaws.com --username AWS --password-stdin',
    );
    expect(login.docs[0]!.url).toBe('https://helm.sh/docs/topics/registries/');
  });

  it('kaniko: credentials go into /kaniko/.docker/config.json, said first', () => {
    const parsed = parseImageRef(CATALOG_IMAGES.gar);
    if (!parsed.ok) throw new Error(parsed.error);
    const r = remediationFor({ category: 'auth_missing', provider: 'gar', image: parsed.ref, facts: { tool: 'kaniko' } });
    expect(r.steps[0]!.text).toMatch(/kaniko has no login command/);
    expect(commandsOf(r.steps).join('\n')).toContain('/kaniko/.docker/config.json');
    expect(commandsOf(r.steps).join('\n')).toContain('europe-west1-docker.pkg.dev');
  });

  it('podman and oras keep the same options under their own login', () => {
    const parsed = parseImageRef(CATALOG_IMAGES.ghcr);
    if (!parsed.ok) throw new Error(parsed.error);
    for (const tool of ['podman', 'oras'] as const) {
      const r = remediationFor({ category: 'auth_missing', provider: 'ghcr', image: parsed.ref, facts: { tool } });
      expect(commandsOf(r.steps).join('\n')).toContain(`echo "$GITHUB_TOKEN" | ${tool} login ghcr.io -u acme --password-stdin`);
    }
  });
});

describe('every value the diagnosis holds is filled in', () => {
  // Placeholders that stand for a value the diagnosis knows: when the value is known they must not appear.
  const filled: Array<{ known: (d: ReturnType<typeof diagnose>) => string | undefined; placeholders: RegExp }> = [
    { known: (d) => d.image?.region ?? d.facts.region, placeholders: /<region>|<location>/ },
    { known: (d) => d.image?.account ?? d.facts.account, placeholders: /<account-id>|<project>|<registry-name>/ },
    { known: (d) => d.image?.repository, placeholders: /<repository>/ },
  ];

  it('across the labelled corpora', () => {
    const corpora = ['../fixtures/corpus/dev.jsonl', '../fixtures/logs/public.jsonl', '../fixtures/logs/cases.jsonl'];
    const misses: string[] = [];
    let checked = 0;
    for (const file of corpora) {
      for (const line of readFileSync(new URL(file, import.meta.url), 'utf8').split('\n').filter(Boolean)) {
        const c = JSON.parse(line) as { id: string; log: string; image?: string | null };
        const d = diagnose({ log: c.log, ...(c.image ? { image: c.image } : {}) });
        for (const finding of d.findings) {
          const text = commandsOf(finding.remediation).join('\n');
          for (const rule of filled) {
            // Only values of the registry the diagnosis is about, in the shape its ids take (a log's own
            // `MY_PROJECT_ID` is a placeholder, not a project).
            const value = d.image && d.image.provider !== d.provider ? undefined : rule.known(d);
            if (value === undefined || !/^[a-z0-9][a-z0-9./-]*$/.test(value)) continue;
            checked += 1;
            const hit = rule.placeholders.exec(text);
            if (hit) misses.push(`${c.id} ${finding.category}: ${hit[0]} although ${value} is known`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(misses).toEqual([]);
  });
});
