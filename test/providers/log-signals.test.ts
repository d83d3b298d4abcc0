import { describe, expect, it } from 'vitest';
import type { Provider } from '../../src/engine/vocabulary.js';
import { providerLogSignals } from '../../src/providers/index.js';

/** The providers whose signals match a line. */
function signalled(line: string): Set<Provider> {
  return new Set(providerLogSignals.filter((s) => s.pattern.test(line)).map((s) => s.provider));
}

describe('log signals', () => {
  it.each([
    ['error getting credentials - err: exit status 1, out: `docker-credential-ecr-login: no basic auth credentials`', 'ecr'],
    ['User: arn:aws:sts::123456789012:assumed-role/ci/gh is not authorized to perform: ecr:InitiateLayerUpload', 'ecr'],
    ['User: arn:aws-us-gov:iam::123456789012:user/ci is not authorized', 'ecr'],
    ['An error occurred (RepositoryNotFoundException) when calling the DescribeRepositories operation', 'ecr'],
    ['tag invalid: The image tag \'v1\' already exists in the \'app\' repository and cannot be overwritten because the repository is immutable. (ImageTagAlreadyExistsException)', 'ecr'],
    ['+ aws ecr get-login-password --region us-east-1', 'ecr'],
    ['Permission "artifactregistry.repositories.uploadArtifacts" denied on resource', 'gar'],
    ['denied: Artifact Registry API has not been used in project 123 before or it is disabled', 'gar'],
    ['unauthorized: You don\'t have the needed permissions to perform this operation, and you may have invalid credentials. To authenticate your request, follow the steps in: https://cloud.google.com/container-registry/docs/advanced-authentication', 'gcr'],
    ['denied: Token exchange failed for project \'acme\'. Caller does not have permission \'storage.buckets.get\'.', 'gcr'],
    ['error getting credentials - err: exit status 1, out: `docker-credential-gcloud: ...`', 'gcr'],
    ["name unknown: Project 'projects/acme' not found or deleted.", 'gcr'],
    ["denied: client with IP '203.0.113.9' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.", 'acr'],
    ['CONNECTIVITY_REFRESH_TOKEN_ERROR: Access to registry was denied', 'acr'],
    ['##[error]The process \'/usr/bin/docker\' failed with exit code 1', 'acr'],
    ['Azure.RequestFailedException: Service request failed.', 'acr'],
    ['(TasksOperationsNotAllowed) ACR Tasks requests for the registry are not permitted', 'acr'],
    ['toomanyrequests: You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit', 'dockerhub'],
    ['failed to fetch anonymous token: unexpected status from GET request to https://auth.docker.io/token?scope=x', 'dockerhub'],
    ['ERROR: HAP429 too many requests', 'dockerhub'],
    ['denied: installation not allowed to Create organization package', 'ghcr'],
    ['error: failed to push ghcr.io/acme/app:1: 403 Forbidden', 'ghcr'],
    ['Error: User cannot be authenticated with the token provided.', 'ghcr'],
  ] as const)('%s → %s', (line, provider) => {
    expect([...signalled(line)]).toContain(provider);
  });

  it('stays quiet on lines that name no provider', () => {
    for (const line of [
      'The push refers to repository [registry.example.com/app]',
      'unauthorized: authentication required',
      'blob upload unknown',
      '5f70bf18a086: Layer already exists',
    ]) {
      expect([...signalled(line)], line).toEqual([]);
    }
  });
});
