// The same registry answer, as the CI systems and tools that print it wrap it: each must give the
// diagnosis the bare line gives.
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/engine/diagnose.js';
import { normalizeLine } from '../../src/engine/normalize-line.js';

const ECR_RETRY = '4348ebd6ec2b: Retrying in 5 seconds';

describe('line prefixes of CI systems and loggers', () => {
  it.each([
    ['AWS CodeBuild gutter', `244 | ${ECR_RETRY}`],
    ['AWS CodeBuild container prefix', `[Container] 2024/01/02 03:04:05.678901 ${ECR_RETRY}`],
    ['Jenkins timestamper', `[2024-01-02T03:04:05.678Z] ${ECR_RETRY}`],
    ['Jenkins plain time', `03:04:05 ${ECR_RETRY}`],
    ['GitHub Actions timestamp', `2024-01-02T03:04:05.1234567Z ${ECR_RETRY}`],
    ['klog header', `E0102 03:04:05.678901   12345 push.go:88] ${ECR_RETRY}`],
    ['Go log timestamp', `2024/01/02 03:04:05 ${ECR_RETRY}`],
    ['Tekton step', `[build-and-push] ${ECR_RETRY}`],
    ['Tekton task and step', `[build : push] ${ECR_RETRY}`],
    ['Argo pod', `ci-build-1234567890: ${ECR_RETRY}`],
    ['Tekton step before a BuildKit step', `[build] #12 0.456 ${ECR_RETRY}`],
  ])('%s', (_name, line) => {
    expect(normalizeLine(line)).toBe(ECR_RETRY);
  });

  it('keeps a layer id, which looks like no prefix', () => {
    expect(normalizeLine(ECR_RETRY)).toBe(ECR_RETRY);
  });
});

describe('registry error bodies escaped inside other messages', () => {
  it('reads a JSON body escaped once in a logrus msg field', () => {
    const log =
      'time="2024-01-02T03:04:05Z" level=error msg="push failed: {\\"errors\\":[{\\"code\\":\\"NAME_UNKNOWN\\",\\"message\\":\\"repository name not known to registry\\"}]}"';
    expect(diagnose({ log }).findings[0]?.category).toBe('repo_not_found');
  });

  it('reads a JSON body escaped twice', () => {
    const log = 'error: {\\\\\\"errors\\\\\\":[{\\\\\\"code\\\\\\":\\\\\\"DENIED\\\\\\",\\\\\\"message\\\\\\":\\\\\\"Quota has been exceed on namespace\\\\\\"}]}';
    expect(diagnose({ log }).findings[0]?.category).toBe('quota_exceeded');
  });

  it('treats an error body with no host on its line as a registry answer', () => {
    // `token expired` alone could be any service's; in a registry's error body it is the registry's.
    const log = 'Error: {"errors":[{"code":"UNAUTHORIZED","message":"token expired"}]}';
    expect(diagnose({ log }).findings[0]?.category).toBe('auth_expired');
  });
});

describe('logs pasted through a web page', () => {
  it('reads typographic quotes as the ASCII quotes the tool printed', () => {
    const log = "Access to registry \u2018acme.azurecr.io\u2019 was denied. Response code: 403. Please try running 'az login' again to refresh permissions.";
    expect(diagnose({ log }).findings[0]?.rules).toContain('acr-refresh-token-403');
  });
});

describe('the same line again with another number', () => {
  it('reads a 401 after a 403 of the same wording as a 401, not as the 403 seen before', () => {
    const log = [
      'The push refers to repository [registry.example.com/team/app]',
      'PUT https://registry.example.com/v2/team/app/manifests/1.0: unexpected status code 403',
      'PUT https://registry.example.com/v2/team/app/manifests/1.0: unexpected status code 401',
    ].join('\n');
    const findings = diagnose({ log }).findings;
    const linesOf = (category: string) => findings.find((finding) => finding.category === category)?.evidence.map((evidence) => evidence.line);
    // A 403 at the manifest commit may be a quota (line 2 only); a 401 may be an expired token (line 3 only).
    expect(linesOf('quota_exceeded')).toEqual([2]);
    expect(linesOf('auth_expired')).toEqual([3]);
  });
});

describe('one message wrapped over several lines', () => {
  it('joins an AWS denial folded by the terminal and ranks the VPC endpoint policy first', () => {
    const log = [
      'The push refers to repository [123456789012.dkr.ecr.us-west-2.amazonaws.com/team-a/alpine]',
      'denied: User: arn:aws:sts::123456789012:assumed-role/ROLE_NAME/INSTANCE_ID ',
      'is not authorized to perform: ecr:PutImage on resource: ',
      'arn:aws:ecr:us-west-2:123456789012:repository/team-a/alpine ',
      'with an explicit deny in a VPC endpoint policy',
    ].join('\n');
    const diagnosis = diagnose({ log });
    expect(diagnosis.findings.map((finding) => finding.category).slice(0, 2)).toEqual(['firewall_denied', 'permission_denied']);
  });

  it('joins a login error wrapped before and after its URL', () => {
    const log = [
      'Error response from daemon: login attempt to',
      'https://000000000000.dkr.ecr.us-east-1.amazonaws.com/v2/ failed with status:',
      '400 Bad Request',
    ].join('\n');
    const diagnosis = diagnose({ log });
    expect(diagnosis.provider).toBe('ecr');
    expect(diagnosis.findings[0]?.rules).toContain('ecr-login-400-region');
  });

  it("quotes a denial right below Docker's push line as its own line, not joined to it", () => {
    const log = ['The push refers to repository [docker.io/acme/app]', 'denied: requested access to the resource is denied'].join('\n');
    const evidence = diagnose({ log }).findings[0]?.evidence;
    expect(evidence).toEqual([{ source: 'log', line: 2, text: 'denied: requested access to the resource is denied' }]);
  });

  it('does not join lines that end a sentence', () => {
    const log = ['Login Succeeded.', 'failed with status: 400 Bad Request'].join('\n');
    expect(diagnose({ log }).findings.flatMap((finding) => finding.rules)).not.toContain('login-400');
  });
});
