import { describe, expect, it } from 'vitest';
import type { Facts } from '../../src/engine/diagnosis.js';
import { parseImageRef } from '../../src/engine/image-ref.js';
import type { Category } from '../../src/engine/vocabulary.js';
import { ecrAdapter, identityOf } from '../../src/providers/ecr/index.js';
import type { ProviderRemediation } from '../../src/providers/types.js';

function remediate(category: Category, image: string | undefined, facts: Facts = {}): ProviderRemediation {
  const parsed = image ? parseImageRef(image) : undefined;
  if (parsed && !parsed.ok) throw new Error(parsed.error);
  const result = ecrAdapter.remediate({ category, provider: 'ecr', image: parsed?.ref, facts });
  if (!result) throw new Error(`no ECR remediation for ${category}`);
  return result;
}

const commands = (r: ProviderRemediation) => r.steps.flatMap((s) => (s.command ? [s.command] : []));
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1';
const ASSUMED = 'arn:aws:sts::123456789012:assumed-role/ci-push/gh-4242';

describe('ECR remediation', () => {
  it('logs in to the exact registry with a fresh token', () => {
    const r = remediate('auth_missing', IMAGE);
    expect(commands(r)).toContain(
      'aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    );
    expect(JSON.stringify(r)).toContain('docker-credential-ecr-login');
    expect(commands(r).some((c) => c.includes('"123456789012.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login"'))).toBe(true);
  });

  it('renews expired tokens with the same login', () => {
    expect(commands(remediate('auth_expired', IMAGE))[0]).toContain('aws ecr get-login-password --region eu-west-1');
  });

  it('builds the host from facts when no image is known, and placeholders for what is unknown', () => {
    expect(commands(remediate('auth_missing', undefined, { account: '123456789012', region: 'ap-south-1' }))).toContain(
      'aws ecr get-login-password --region ap-south-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.ap-south-1.amazonaws.com',
    );
    expect(commands(remediate('auth_missing', undefined))).toContain(
      'aws ecr get-login-password --region <region> | docker login --username AWS --password-stdin <account-id>.dkr.ecr.<region>.amazonaws.com',
    );
  });

  it('creates a missing repository in the right region', () => {
    expect(commands(remediate('repo_not_found', IMAGE))).toContain('aws ecr create-repository --repository-name team/app --region eu-west-1');
  });

  it('grants the push actions on the repository ARN to the role behind an assumed-role session', () => {
    const r = remediate('permission_denied', IMAGE, { principal: ASSUMED, permission: 'ecr:InitiateLayerUpload' });
    // The policy is the document of the step whose command applies it, so it is shown after that command.
    const grant = r.steps.find((s) => s.document)!;
    expect(grant.command).toContain('file://ecr-push-policy.json');
    expect(grant.document!.name).toBe('ecr-push-policy.json');
    const policyText = grant.document!.content;
    const policy = JSON.parse(policyText) as { Statement: { Action: string | string[]; Resource: string }[] };
    expect(policy.Statement).toContainEqual(expect.objectContaining({ Action: 'ecr:GetAuthorizationToken', Resource: '*' }));
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({
        Action: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:InitiateLayerUpload',
          'ecr:UploadLayerPart',
          'ecr:CompleteLayerUpload',
          'ecr:PutImage',
          'ecr:BatchGetImage',
        ],
        Resource: 'arn:aws:ecr:eu-west-1:123456789012:repository/team/app',
      }),
    );
    expect(commands(r)).toContain(
      'aws iam put-role-policy --role-name ci-push --policy-name ecr-push --policy-document file://ecr-push-policy.json',
    );
    expect(commands(r).some((c) => c.includes('--policy-source-arn arn:aws:iam::123456789012:role/ci-push'))).toBe(true);
    expect(r.explanation).toContain('role ci-push');
  });

  it('takes the partition from the principal or the region', () => {
    const gov = remediate('permission_denied', '123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/app', {
      principal: 'arn:aws-us-gov:iam::123456789012:user/deployer',
    });
    expect(JSON.stringify(gov)).toContain('arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/app');
    expect(commands(gov)).toContain(
      'aws iam put-user-policy --user-name deployer --policy-name ecr-push --policy-document file://ecr-push-policy.json',
    );
    const cn = remediate('permission_denied', '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app');
    expect(JSON.stringify(cn)).toContain('arn:aws-cn:ecr:cn-north-1:123456789012:repository/app');
    expect(commands(cn)).toContain(
      'aws iam put-role-policy --role-name <role-name> --policy-name ecr-push --policy-document file://ecr-push-policy.json',
    );
  });

  it('reads a European Sovereign Cloud registry (amazonaws.eu) with its own partition and host', () => {
    const r = remediate('permission_denied', '123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu/app');
    expect(JSON.stringify(r)).toContain('arn:aws-eusc:ecr:eusc-de-east-1:123456789012:repository/app');
    const login = remediate('auth_missing', '123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu/app');
    expect(commands(login)).toContain(
      'aws ecr get-login-password --region eusc-de-east-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu',
    );
  });

  it('offers unique tags before making tags mutable, and says the trade-off', () => {
    const r = remediate('tag_immutable', IMAGE);
    expect(commands(r)[0]).toContain('$(git rev-parse --short HEAD)');
    expect(commands(r)).toContain('aws ecr put-image-tag-mutability --repository-name team/app --image-tag-mutability MUTABLE --region eu-west-1');
    expect(r.steps.find((s) => s.command?.includes('put-image-tag-mutability'))!.text).toMatch(/trade-off/i);
    expect(commands(r)).toContain('aws ecr describe-images --repository-name team/app --image-ids imageTag=v1 --region eu-west-1');
  });

  it('points quota and throttling errors at service quotas', () => {
    expect(commands(remediate('quota_exceeded', IMAGE))).toContain('aws service-quotas list-service-quotas --service-code ecr --region eu-west-1');
    expect(commands(remediate('rate_limited', IMAGE))).toContain('aws service-quotas list-service-quotas --service-code ecr --region eu-west-1');
  });

  it('names the client IP for policy conditions and VPC endpoints for networks', () => {
    expect(JSON.stringify(remediate('firewall_denied', IMAGE, { clientIp: '198.51.100.7' }))).toContain('198.51.100.7');
    expect(commands(remediate('network', IMAGE))).toContain('curl -v https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2/');
  });

  it('logs in to ECR Public in us-east-1 and creates public repositories without the alias', () => {
    expect(commands(remediate('auth_missing', 'public.ecr.aws/my-alias/tool:1'))).toContain(
      'aws ecr-public get-login-password --region us-east-1 | docker login --username AWS --password-stdin public.ecr.aws',
    );
    expect(commands(remediate('repo_not_found', 'public.ecr.aws/my-alias/tool:1'))).toContain(
      'aws ecr-public create-repository --repository-name tool --region us-east-1',
    );
  });

  it('leaves categories without ECR-specific advice to the generic adapter', () => {
    for (const category of ['repo_locked', 'blob_upload', 'manifest_invalid', 'image_not_found_locally'] as const) {
      expect(ecrAdapter.remediate({ category, provider: 'ecr', facts: {} })).toBeUndefined();
    }
  });
});

describe('identityOf', () => {
  it.each([
    [ASSUMED, { kind: 'role', name: 'ci-push' }],
    ['arn:aws:iam::123456789012:role/service-role/codebuild-app', { kind: 'role', name: 'codebuild-app' }],
    ['arn:aws:iam::123456789012:user/deployer', { kind: 'user', name: 'deployer' }],
    ['arn:aws:iam::123456789012:root', undefined],
    ['ci@acme.iam.gserviceaccount.com', undefined],
    [undefined, undefined],
  ] as const)('%s', (principal, expected) => {
    expect(identityOf(principal)).toEqual(expected);
  });
});
