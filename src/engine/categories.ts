// What each category means to a person on call, whatever the registry. Rules and providers may be more specific.
import type { Category, Severity } from './vocabulary.js';

export interface CategoryText {
  title: string;
  explanation: string;
  severity: Severity;
}

export const categoryTexts: Record<Category, CategoryText> = {
  auth_missing: {
    title: 'The push sent no valid registry credentials',
    explanation:
      'The registry asked for credentials and got none it accepts: Docker is not logged in to this host, the credential helper is missing or failed, or the secret holding the password is empty or wrong.',
    severity: 'error',
  },
  auth_expired: {
    title: 'The registry credentials have expired',
    explanation:
      'The client sent a token or session that was once valid but has expired or been revoked (ECR tokens last 12 hours; OAuth and personal access tokens expire or are re-issued). Log in again.',
    severity: 'error',
  },
  permission_denied: {
    title: 'The identity is not allowed to push here',
    explanation:
      'The registry knows who is pushing but that identity lacks push rights on this repository (IAM policy, registry role, package or namespace permission).',
    severity: 'error',
  },
  repo_not_found: {
    title: 'The target repository does not exist',
    explanation:
      'The repository (or the project/registry that holds it) named in the image reference does not exist, or the reference points at the wrong account, project or path. Some registries do not create repositories on push.',
    severity: 'error',
  },
  tag_immutable: {
    title: 'The tag already exists and the repository does not allow overwriting it',
    explanation:
      'Tag immutability is on for this repository, and the tag being pushed is already taken. Push a new, unique tag (a version or commit SHA).',
    severity: 'error',
  },
  repo_locked: {
    title: 'The repository or image is locked against writes',
    explanation:
      'The registry refuses writes to this repository, image or tag (a write lock, a read-only mode, or a registry-level restriction).',
    severity: 'error',
  },
  quota_exceeded: {
    title: 'A registry quota or storage limit was reached',
    explanation:
      'The registry refused the push because a limit was reached: storage, number of images or tags, or a service quota.',
    severity: 'error',
  },
  rate_limited: {
    title: 'The registry is throttling requests',
    explanation:
      'Too many requests in a short time (pull rate limits, API throttling, per-minute quotas). Retry with backoff, authenticate, or raise the limit.',
    severity: 'warning',
  },
  firewall_denied: {
    title: 'The registry firewall refused this client',
    explanation:
      "The registry's network rules (IP allow list, disabled public access, private endpoint, VPC Service Controls) do not let the CI runner's address in.",
    severity: 'error',
  },
  network: {
    title: 'The registry could not be reached reliably',
    explanation:
      'A network failure between the client and the registry: DNS, TCP, TLS, a proxy, a timeout or a dropped connection. The registry may never have seen the request.',
    severity: 'warning',
  },
  blob_upload: {
    title: 'A layer (blob) upload failed',
    explanation:
      'The registry lost or rejected a layer upload: the upload session was unknown, the digest or size did not match, a proxy refused the body, or a layer the manifest names was never uploaded.',
    severity: 'error',
  },
  manifest_invalid: {
    title: 'The registry rejected the image manifest',
    explanation:
      'The manifest was not accepted: an unsupported media type or format, invalid JSON, references the registry cannot resolve, or a manifest it cannot find after writing.',
    severity: 'error',
  },
  image_not_found_locally: {
    title: 'The image to push does not exist on the build machine',
    explanation:
      'The push named an image or tag that was never built or tagged locally, so nothing was sent to the registry. The build and push steps disagree on the name or tag.',
    severity: 'error',
  },
  other: {
    title: 'The push failed for a reason outside the usual categories',
    explanation: 'The log shows a registry-related failure that is not one of the common causes; read the evidence.',
    severity: 'error',
  },
};
