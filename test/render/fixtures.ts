// Diagnoses for the renderer tests, written by hand as typed objects (the engine is tested elsewhere).
import type { Diagnosis, Finding } from '../../src/engine/diagnosis.js';

const ECR_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.4.2';
const DENIED =
  'denied: User: arn:aws:sts::123456789012:assumed-role/gha-deployer/GitHubActions is not authorized to perform: ' +
  'ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-1:123456789012:repository/payments-api because no ' +
  'identity-based policy allows the ecr:InitiateLayerUpload action';

export const ecrPermissionDenied: Diagnosis = {
  input: { logExcerpt: DENIED, logLines: 86, logBytes: 5731, image: ECR_IMAGE },
  provider: 'ecr',
  image: {
    reference: ECR_IMAGE,
    host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    provider: 'ecr',
    account: '123456789012',
    region: 'eu-west-1',
    repository: 'payments-api',
    tag: '1.4.2',
  },
  facts: {
    image: ECR_IMAGE,
    host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    repository: 'payments-api',
    permission: 'ecr:InitiateLayerUpload',
    principal: 'arn:aws:sts::123456789012:assumed-role/gha-deployer/GitHubActions',
    account: '123456789012',
    region: 'eu-west-1',
  },
  findings: [
    {
      category: 'permission_denied',
      title: 'gha-deployer may not push to payments-api (ecr:InitiateLayerUpload)',
      explanation:
        'The registry accepted the login but refused the push: the IAM role the job assumed has no policy that ' +
        'allows ecr:InitiateLayerUpload on this repository. Pushing needs the layer upload actions and ' +
        'ecr:PutImage, on the repository ARN.',
      severity: 'error',
      confidence: 0.93,
      evidence: [
        { source: 'log', line: 85, text: DENIED },
        { source: 'log', line: 86, text: '##[error]Process completed with exit code 1.' },
      ],
      remediation: [
        {
          text: 'Allow the push actions for the role on the repository:',
          command:
            'aws iam put-role-policy --role-name gha-deployer --policy-name ecr-push-payments-api \\\n' +
            "  --policy-document '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"ecr:BatchCheckLayerAvailability\",\"ecr:InitiateLayerUpload\",\"ecr:UploadLayerPart\",\"ecr:CompleteLayerUpload\",\"ecr:PutImage\"],\"Resource\":\"arn:aws:ecr:eu-west-1:123456789012:repository/payments-api\"}]}'",
        },
        { text: 'Re-run the job.' },
      ],
      docs: [
        {
          title: 'Amazon ECR: pushing an image (required IAM permissions)',
          url: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push.html',
        },
      ],
      fixes: [],
      rules: ['ecr.not-authorized'],
    },
    {
      category: 'repo_not_found',
      title: 'The repository payments-api may not exist in 123456789012 / eu-west-1',
      explanation: 'ECR answers some pushes to a missing repository with a permission error.',
      severity: 'warning',
      confidence: 0.21,
      evidence: [{ source: 'log', line: 85, text: DENIED }],
      remediation: [{ text: 'Check the repository exists:', command: 'aws ecr describe-repositories --repository-names payments-api --region eu-west-1' }],
      docs: [],
      fixes: [],
      rules: ['ecr.missing-repo-hint'],
    },
  ],
  probes: [],
};

export const acrFirewallWithProbes: Diagnosis = {
  input: { logExcerpt: "denied: client with IP '20.84.112.37' is not allowed access.", logLines: 12, logBytes: 1230, runnerIp: '20.84.112.37' },
  provider: 'acr',
  image: {
    reference: 'contosoprod.azurecr.io/orders/worker:2026.11.18-3',
    host: 'contosoprod.azurecr.io',
    provider: 'acr',
    account: 'contosoprod',
    repository: 'orders/worker',
    tag: '2026.11.18-3',
  },
  facts: { host: 'contosoprod.azurecr.io', clientIp: '20.84.112.37', account: 'contosoprod', httpStatus: 403 },
  findings: [
    {
      category: 'firewall_denied',
      title: "contosoprod's firewall does not allow the runner's IP 20.84.112.37",
      explanation: 'The registry has public network access limited to selected networks, and the runner is not in them.',
      severity: 'error',
      confidence: 0.97,
      evidence: [
        { source: 'log', line: 10, text: "denied: client with IP '20.84.112.37' is not allowed access. Refer https://aka.ms/acr/firewall to grant access." },
        { source: 'probe', text: 'networkRuleSet.defaultAction = Deny; 20.84.112.37 matches no ipRule' },
      ],
      remediation: [
        { text: 'Add the runner IP to the registry firewall:', command: 'az acr network-rule add --name contosoprod --ip-address 20.84.112.37' },
      ],
      docs: [
        { title: 'Configure public IP network rules', url: 'https://learn.microsoft.com/azure/container-registry/container-registry-access-selected-networks' },
      ],
      fixes: [{ id: 'fx_7Hc2kQ9', title: 'Allow 20.84.112.37 through the contosoprod firewall', change: 'Add 20.84.112.37/32 to the IP rules of contosoprod (every existing rule kept)' }],
      rules: ['acr.firewall-ip'],
    },
  ],
  probes: [
    { name: 'acr.network-rules', status: 'failed', durationMs: 212.4, detail: 'defaultAction Deny; 3 ip rules, none match' },
    { name: 'oci.ping', status: 'ok', durationMs: 48, detail: '/v2/ answered 401 with a Bearer challenge' },
    { name: 'acr.storage', status: 'skipped', durationMs: 0, detail: 'no credentials for this registry' },
  ],
};

export const noFindings: Diagnosis = {
  input: { logExcerpt: '', logLines: 14, logBytes: 812 },
  provider: 'other',
  facts: {},
  findings: [],
  probes: [],
};

/** Everything a hostile log could try: mentions, spoofed links, code-block breakouts, terminal escapes. */
const HOSTILE_LINE =
  'denied: <!channel> <!here> @everyone <@U123> <https://evil.example|click> ```closing``` ````` \x1b]0;pwned\x07\x1b[31mred\x1b[0m & done';

export const hostile: Diagnosis = {
  input: { logExcerpt: HOSTILE_LINE, logLines: 3, logBytes: 300, image: 'ghcr.io/acme/<!channel>:1' },
  provider: 'ghcr',
  facts: { repository: '<@U123>' },
  findings: [
    {
      category: 'permission_denied',
      title: 'Denied on <@U123> <!channel> \x1b[2J',
      explanation: 'The log says <https://evil.example|click> and ``` and <!subteam^S123>.',
      severity: 'error',
      confidence: 0.8,
      evidence: [{ source: 'log', line: 2, text: HOSTILE_LINE }],
      remediation: [{ text: 'Run <!channel>:', command: 'echo ```\n<@U123> <https://evil.example|click>' }],
      docs: [
        { title: 'not ours', url: 'https://evil.example/phish' },
        { title: 'plain http', url: 'http://docs.github.com/packages' },
        { title: 'a <b>|c</b>', url: 'https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-container-registry' },
        { title: 'javascript', url: 'javascript:alert(1)' },
      ],
      fixes: [{ id: 'fx_1', title: '<!channel> fix it', change: '<!channel> change everything' }],
      rules: ['oci.denied'],
    },
  ],
  probes: [{ name: '<!channel>', status: 'error', durationMs: 5, detail: '<https://evil.example|click>' }],
};

function bigFinding(i: number, evidenceText: string): Finding {
  return {
    category: i % 2 === 0 ? 'blob_upload' : 'network',
    title: `Finding number ${i} `.repeat(20),
    explanation: 'x'.repeat(10_000),
    severity: 'warning',
    confidence: 1 - i / 100,
    evidence: Array.from({ length: 50 }, (_, k) => ({ source: 'log' as const, line: k + 1, text: evidenceText })),
    remediation: Array.from({ length: 30 }, (_, k) => ({ text: `Step ${k} `.repeat(200), command: 'y'.repeat(5000) })),
    docs: Array.from({ length: 200 }, (_, k) => ({ title: `Doc ${k}`, url: `https://docs.docker.com/page-${k}` })),
    fixes: Array.from({ length: 12 }, (_, k) => ({ id: `fx_${i}_${k}`, title: 'Fix '.repeat(40), change: 'Change '.repeat(100) })),
    rules: [`rule.${i}`],
  };
}

/** 100 findings, each with 1 MB of evidence (the same string object, so the fixture itself stays small). */
export function huge(): Diagnosis {
  const mb = `${'<!channel> ``` '.repeat(20)}${'a'.repeat(1_000_000)}`;
  return {
    input: { logExcerpt: mb, logLines: 1_000_000, logBytes: 200_000_000, image: 'docker.io/library/big:1' },
    provider: 'dockerhub',
    facts: {},
    findings: Array.from({ length: 100 }, (_, i) => bigFinding(i, mb)),
    probes: Array.from({ length: 40 }, (_, i) => ({ name: `probe.${i}`, status: 'timeout' as const, durationMs: 5000, detail: 'd'.repeat(500) })),
  };
}
