// Ranking with probe evidence: confirm, refute, add — on a real diagnosis of a real-shaped log.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyProbeResults } from '../../src/engine/apply-probes.js';
import { diagnose } from '../../src/engine/diagnose.js';
import type { ProbeResult } from '../../src/engine/diagnosis.js';

const log = readFileSync(join(import.meta.dirname, '../../examples/ecr-push-denied.log'), 'utf8');
const base = diagnose({ log });

function result(name: string, observations: ProbeResult['observations']): ProbeResult {
  return { name, status: 'failed', durationMs: 12, detail: 'd', registry: 'prod-ecr', ...(observations ? { observations } : {}) };
}

describe('applyProbeResults', () => {
  it('keeps the findings as they are when the probes observed nothing, and records the probes', () => {
    const probes = [{ name: 'oci.ping', status: 'ok' as const, durationMs: 3, detail: 'answers /v2/' }];
    const out = applyProbeResults(base, probes);
    expect(out.findings).toEqual(base.findings);
    expect(out.probes).toEqual(probes);
    expect(base.probes).toEqual([]); // the input is not changed
  });

  it('a confirmation raises the finding and puts the probe evidence first', () => {
    expect(base.findings[0]!.category).toBe('permission_denied');
    const out = applyProbeResults(base, [
      result('ecr.simulate', [
        { kind: 'confirm', category: 'permission_denied', evidence: 'ecr:InitiateLayerUpload is implicitDeny for role gha-deployer', resource: 'arn:aws:iam::123456789012:role/gha-deployer', state: { decision: 'implicitDeny' } },
      ]),
    ]);
    const top = out.findings[0]!;
    expect(top.category).toBe('permission_denied');
    expect(top.confidence).toBeGreaterThan(base.findings[0]!.confidence);
    expect(top.evidence[0]).toEqual({ source: 'probe', text: 'ecr.simulate: ecr:InitiateLayerUpload is implicitDeny for role gha-deployer' });
    expect(top.evidence.slice(1)).toEqual(base.findings[0]!.evidence);
  });

  it('a refutation ranks the finding down with the reason; a confirmed cause the log missed is added above it', () => {
    const out = applyProbeResults(base, [
      result('oci.upload', [{ kind: 'refute', category: 'permission_denied', evidence: 'an upload to payments-api was accepted (202) and cancelled' }]),
      result('ecr.repository', [{ kind: 'confirm', category: 'repo_not_found', evidence: 'repository `payments-api` does not exist in 123456789012 eu-west-1' }]),
    ]);
    expect(out.findings.map((f) => f.category)).toEqual(['repo_not_found', ...base.findings.map((f) => f.category)].slice(0, out.findings.length));
    const added = out.findings[0]!;
    expect(added.title).toBe('The target repository does not exist');
    expect(added.rules).toEqual([]);
    expect(added.remediation.some((step) => step.command?.includes('aws ecr create-repository --repository-name payments-api --region eu-west-1'))).toBe(true);
    const refuted = out.findings.find((f) => f.category === 'permission_denied')!;
    expect(refuted.confidence).toBeLessThan(base.findings[0]!.confidence / 2);
    expect(refuted.evidence[0]!.text).toBe('Unlikely (oci.upload): an upload to payments-api was accepted (202) and cancelled');
  });

  it('adds findings to a diagnosis that had none (a preflight with no log)', () => {
    const empty = diagnose({ log: '', image: 'registry.example.com/team/app:1' });
    expect(empty.findings).toEqual([]);
    const out = applyProbeResults(empty, [
      result('net.connect', [{ kind: 'confirm', category: 'network', evidence: 'connection to registry.example.com:443 refused' }]),
      result('oci.ping', [{ kind: 'refute', category: 'auth_missing', evidence: 'irrelevant: nothing to refute' }]),
    ]);
    expect(out.findings.map((f) => [f.category, f.confidence])).toEqual([['network', 0.9]]);
    expect(out.findings[0]!.evidence).toEqual([{ source: 'probe', text: 'net.connect: connection to registry.example.com:443 refused' }]);
  });
});
