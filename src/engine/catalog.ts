// The error catalog: one table of rules, data not code. Each rule names the wording it recognises, the
// cause it points to, how sure that wording alone makes us, and the other causes the same words are seen
// with. Every rule carries real examples; the tests run each through the classifier.
import type { Category, Provider } from './vocabulary.js';

export interface AlternativeCause {
  category: Category;
  confidence: number;
}

export interface Rule {
  id: string;
  category: Category;
  /** 0–1: how sure this wording alone makes us of `category`. */
  confidence: number;
  /** The public document or source file the wording class comes from (a URL). */
  source: string;
  /** Tested against one normalised log line (ANSI, timestamps and BuildKit step prefixes removed). */
  pattern: RegExp;
  /** Other causes the same words are seen with, less likely than `category`. */
  alsoMeans?: AlternativeCause[];
  /** The provider this wording belongs to, used when the log names no registry host. */
  provider?: Provider;
  /** The rule applies only when the push went to one of these providers. */
  providers?: readonly Provider[];
  /**
   * Wording also seen outside registries (a timeout, a 403): it counts only when its line mentions a
   * registry, or the log shows a push.
   */
  needsRegistryContext?: boolean;
  /** Counts only when no other rule matched: the last word when nothing specific was recognised. */
  fallback?: boolean;
  /**
   * Counts only when another rule of one of these categories applies too: a line that is a cause only
   * when a refusal follows it (a client falling back on anonymous access).
   */
  onlyWith?: readonly Category[];
  /**
   * Causes this wording explains when it is seen with them: they rank below it, whatever else agrees on
   * them (a VPC endpoint policy's refusal is worded as an IAM denial too).
   */
  outranks?: readonly Category[];
  /** A title more precise than the category's. */
  title?: string;
  /** Real lines this rule must recognise (from public reports and the registries' own documentation). */
  examples: readonly string[];
}

const NOT_ECR: readonly Provider[] = ['gar', 'gcr', 'acr', 'dockerhub', 'ghcr', 'other'];

export const rules: readonly Rule[] = [
  // ── auth_missing ────────────────────────────────────────────────────────────────────────────────
  {
    id: 'jib-registry-unauthorized',
    category: 'auth_missing',
    confidence: 0.8,
    source: 'https://github.com/GoogleContainerTools/jib/blob/master/jib-core/src/main/java/com/google/cloud/tools/jib/api/RegistryUnauthorizedException.java',
    pattern: /RegistryUnauthorizedException|\bUnauthorized for [\w.-]+(?::\d+)?\//,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.45 }],
    title: 'The registry refused Jib as unauthenticated',
    examples: ['com.google.cloud.tools.jib.registry.RegistryUnauthorizedException: Unauthorized for 123456789012.dkr.ecr.us-east-1.amazonaws.com/app'],
  },
  {
    id: 'no-credentials-for-host',
    category: 'auth_missing',
    confidence: 0.85,
    source: 'https://github.com/regclient/regclient/blob/main/internal/auth/error.go',
    pattern: /no credentials available for (?:basic|bearer) auth/i,
    examples: ['DEBU[0000] Failed to generate auth authtype=basic err="No credentials available for basic auth" host=123456789012.dkr.ecr.us-east-2.amazonaws.com'],
  },
  {
    id: 'docker-login-prompt',
    category: 'auth_missing',
    confidence: 0.9,
    source: 'https://github.com/docker/cli/blob/master/cli/command/registry.go',
    // The Docker client asks for a login when the registry refused it and it holds no credentials.
    pattern: /Please login prior to (?:push|pull)/i,
    title: 'Docker had no credentials for this registry and asked for a login',
    examples: ['Please login prior to push:'],
  },
  {
    id: 'ci-plugin-no-credentials',
    category: 'auth_missing',
    confidence: 0.88,
    source: 'https://github.com/drone-plugins/drone-docker/blob/master/docker.go',
    // A CI plugin that logs in only when given credentials says when it was given none; a cause when a
    // refusal follows.
    pattern: /Registry credentials not provided\. Guest mode enabled/i,
    onlyWith: ['permission_denied', 'auth_missing', 'repo_not_found'],
    title: 'The CI step was given no registry credentials and pushed as a guest',
    examples: ['Registry credentials not provided. Guest mode enabled.\ndenied: requested access to the resource is denied'],
  },
  {
    id: 'oci-code-unauthorized',
    category: 'auth_missing',
    confidence: 0.6,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    // A registry's own error body, wherever it appears in a log: a registry answer by construction.
    pattern: /"code":\s*"UNAUTHORIZED"/,
    alsoMeans: [
      { category: 'auth_expired', confidence: 0.45 },
      { category: 'permission_denied', confidence: 0.4 },
    ],
    title: 'The registry refused the request as unauthenticated',
    examples: ['{"errors":[{"code":"UNAUTHORIZED","message":"access to the requested resource is not authorized"}]}'],
  },
  {
    id: 'quay-invalid-login',
    category: 'auth_missing',
    confidence: 0.86,
    source: 'https://github.com/quay/quay/blob/master/endpoints/v2/errors.py',
    pattern: /Specified credentials are invalid/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.55 }],
    title: 'The registry rejected the username or password (or robot token)',
    examples: ['Error response from daemon: Get "https://quay.io/v2/": unauthorized: Specified credentials are invalid'],
  },
  {
    id: 'hub-login-lockout',
    category: 'auth_missing',
    confidence: 0.95,
    source: 'https://github.com/docker/hub-feedback/issues/2217',
    // Docker Hub blocks a username or address for a while after repeated logins with a wrong password.
    pattern: /too many failed login attempts/i,
    provider: 'dockerhub',
    alsoMeans: [{ category: 'rate_limited', confidence: 0.6 }],
    title: 'Docker Hub locked the login out after repeated wrong credentials (fix the password, then wait)',
    examples: ['Error response from daemon: Get https://registry-1.docker.io/v2/: toomanyrequests: too many failed login attempts for username or IP address'],
  },
  {
    id: 'anonymous-fallback-then-denied',
    category: 'auth_missing',
    // Above refusals that name no identity (a 403, insufficient scope), below those that do (an IAM
    // principal refused: it had credentials).
    confidence: 0.88,
    source: 'https://github.com/google/go-containerregistry/blob/main/pkg/authn/keychain.go',
    // go-containerregistry (crane, ko, kaniko, cosign) prints this whenever no credentials match a
    // registry; harmless for a public base image, the cause when a refusal follows.
    pattern: /No matching credentials were found(?: for "[^"]*")?, falling back on anonymous/i,
    onlyWith: ['permission_denied', 'auth_missing', 'repo_not_found'],
    alsoMeans: [{ category: 'permission_denied', confidence: 0.45 }],
    title: 'The push tool found no credentials for the registry and went on anonymously',
    examples: ['2024/01/01 00:00:00 No matching credentials were found, falling back on anonymous\nerror: POST https://registry.example.com/v2/acme/app/blobs/uploads/: DENIED: requested access to the resource is denied'],
  },
  {
    id: 'jib-credentials',
    category: 'auth_missing',
    confidence: 0.86,
    source: 'https://github.com/GoogleContainerTools/jib/blob/master/jib-plugins-common/src/main/java/com/google/cloud/tools/jib/plugins/common/HelpfulSuggestions.java',
    pattern: /perhaps you should (?:make sure your credentials for|set a credential helper name with the configuration)/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.5 }],
    title: 'Jib had no working credentials for the registry',
    examples: [
      "Build image failed, perhaps you should make sure your credentials for 'registry-1.docker.io' are set up correctly.",
      "Build image failed, perhaps you should set a credential helper name with the configuration 'jib.to.credHelper' or set credentials for 'gcr.io' in your Maven settings",
    ],
  },
  {
    id: 'jib-credentials-over-http',
    category: 'auth_missing',
    confidence: 0.8,
    source: 'https://github.com/GoogleContainerTools/jib/blob/master/jib-plugins-common/src/main/java/com/google/cloud/tools/jib/plugins/common/HelpfulSuggestions.java',
    pattern: /credentials can be sent safely|sendCredentialsOverHttp/i,
    alsoMeans: [{ category: 'network', confidence: 0.5 }],
    title: 'Jib would not send the credentials over plain HTTP',
    examples: ["Build image failed, perhaps you should use a registry that supports HTTPS so credentials can be sent safely, or set the 'sendCredentialsOverHttp' system property to true"],
  },
  {
    id: 'key-value-err-unauthorized',
    category: 'auth_missing',
    confidence: 0.65,
    source: 'https://github.com/regclient/regclient/blob/main/types/errs/error.go',
    // regclient and other Go tools log errors as key=value pairs: `err="unauthorized"`.
    pattern: /\berr(?:or)?="?(?:unauthorized|authentication required)\b/i,
    alsoMeans: [
      { category: 'auth_expired', confidence: 0.45 },
      { category: 'permission_denied', confidence: 0.4 },
    ],
    needsRegistryContext: true,
    examples: ['time="2024-01-01T00:00:00Z" level=warning msg="Failed to push" err=unauthorized host=registry.example.com repo=acme/app'],
  },
  {
    id: 'ecr-login-400-region',
    category: 'auth_missing',
    confidence: 0.86,
    source: 'https://github.com/aws/aws-cli/issues/4962',
    // An ECR token is valid only for the region it was issued in: `get-login-password` for another
    // region (or a mangled password) answers the login with 400, not 401.
    pattern: /login attempt to https?:\/\/[^\s/]*\.dkr\.ecr\.[^\s/]+\/v2\/ failed with status: 400/i,
    provider: 'ecr',
    title: 'ECR refused the login: the token was issued for another region (or the password was mangled)',
    examples: ['Error response from daemon: login attempt to https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/ failed with status: 400 Bad Request'],
  },
  {
    id: 'login-403',
    category: 'firewall_denied',
    confidence: 0.6,
    source: 'https://learn.microsoft.com/azure/container-registry/container-registry-troubleshoot-access',
    // Wrong or missing credentials at login are a 401; a 403 to the login itself comes from something
    // that refuses the client before credentials matter: the registry's network rules, or a proxy.
    pattern: /login attempt to \S+ failed with status: 403|login attempt failed with status: 403/i,
    alsoMeans: [
      { category: 'network', confidence: 0.55 },
      { category: 'permission_denied', confidence: 0.4 },
    ],
    outranks: ['permission_denied'],
    title: 'The login itself was refused (403): the registry firewall or a proxy stopped the client',
    examples: ['Error response from daemon: login attempt to https://myregistry.azurecr.io/v2/ failed with status: 403 Forbidden'],
  },
  {
    id: 'login-400',
    category: 'auth_missing',
    confidence: 0.6,
    source: 'https://github.com/docker/cli/blob/master/cli/command/registry/login.go',
    pattern: /login attempt to \S+ failed with status: 400/i,
    examples: ['Error response from daemon: login attempt to https://registry.example.com/v2/ failed with status: 400 Bad Request'],
  },
  {
    id: 'ecr-public-region',
    category: 'auth_missing',
    confidence: 0.85,
    source: 'https://docs.aws.amazon.com/general/latest/gr/ecr-public.html',
    // The ECR Public API exists only in us-east-1 and us-west-2; logging in through any other region fails.
    pattern: /api\.ecr-public\.(?!us-east-1\b|us-west-2\b)[a-z]{2}(?:-[a-z]+)+-\d\.amazonaws\.com/i,
    provider: 'ecr',
    alsoMeans: [{ category: 'network', confidence: 0.5 }],
    title: 'ECR Public exists only in us-east-1 (and us-west-2): log in with `--region us-east-1`',
    examples: ['Error: getaddrinfo ENOTFOUND api.ecr-public.ap-southeast-1.amazonaws.com'],
  },
  {
    id: 'ecr-public-token-region',
    category: 'auth_missing',
    confidence: 0.88,
    source: 'https://docs.aws.amazon.com/AmazonECR/latest/public/public-registry-auth.html',
    // `aws ecr-public get-login-password` called with another region: the service's own refusal.
    pattern: /GetAuthorizationToken command is only supported in us-east-1/i,
    provider: 'ecr',
    title: 'ECR Public issues login tokens only in us-east-1: run the login with `--region us-east-1`',
    examples: [
      'An error occurred (UnsupportedCommandException) when calling the GetAuthorizationToken operation: GetAuthorizationToken command is only supported in us-east-1.',
    ],
  },
  {
    id: 'no-basic-auth-credentials',
    category: 'auth_missing',
    confidence: 0.9,
    source: 'https://github.com/containerd/containerd/blob/main/core/remotes/docker/authorizer.go',
    pattern: /no basic auth credentials/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.45 }],
    title: 'Docker has no credentials for this registry host',
    examples: ['no basic auth credentials', 'Error: failed to push: no basic auth credentials'],
  },
  {
    id: 'authentication-required',
    category: 'auth_missing',
    confidence: 0.85,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /unauthorized:\s*authentication required|"code":\s*"UNAUTHORIZED"[^}]*authentication required|UNAUTHORIZED: authentication required/i,
    alsoMeans: [
      { category: 'auth_expired', confidence: 0.5 },
      { category: 'permission_denied', confidence: 0.35 },
    ],
    title: 'The registry requires authentication and got none it accepts',
    examples: [
      'unauthorized: authentication required',
      'Error response from daemon: Get "https://myregistry.azurecr.io/v2/": unauthorized: {"errors":[{"code":"UNAUTHORIZED","message":"authentication required, visit https://aka.ms/acr/authorization for more information."}]}',
      'UNAUTHORIZED: authentication required, realm="https://myregistry.azurecr.io/oauth2/token"',
    ],
  },
  {
    id: 'login-ping-refused',
    category: 'auth_missing',
    confidence: 0.75,
    source: 'https://github.com/docker/cli/blob/master/cli/command/registry/login.go',
    pattern: /\/v2\/"?:\s*(?:denied|unauthorized)\b/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.5 }],
    title: 'The registry refused the login credentials',
    examples: ['Error: Error response from daemon: Get "https://ghcr.io/v2/": denied: denied'],
  },
  {
    id: 'credential-helper-missing',
    category: 'auth_missing',
    confidence: 0.92,
    source: 'https://github.com/docker/docker-credential-helpers/blob/master/client/client.go',
    pattern: /docker-credential-[\w.-]+"?:? executable file not found|docker-credential-[\w.-]+ not installed or not available|docker-credential-[\w.-]+`? not in system PATH|credential helper[^.]{0,40}not found/i,
    title: 'The Docker credential helper is not installed where the push runs',
    examples: [
      '#2 ERROR: error getting credentials - err: exec: "docker-credential-ecr-login": executable file not found in $PATH, out: ``',
      'docker.credentials.errors.InitializationError: docker-credential-gcloud not installed or not available in PATH',
    ],
  },
  {
    id: 'credential-helper-failed',
    category: 'auth_missing',
    confidence: 0.75,
    source: 'https://github.com/docker/docker-credential-helpers/blob/master/client/client.go',
    // A registry request that ends in a process's exit status: the only process a registry request runs is
    // the credential helper, and older go-containerregistry (ko, kaniko, crane) returned its exec error as
    // it was ("Get https://gcr.io/v2/token?…: exit status 1"; later versions say "invoking docker-credential-…").
    pattern: /error getting credentials|could not retrieve GCR's access token|NoCredentialProviders|no valid providers in chain|credentials not found in native keychain|invoking docker-credential-|error getting credentials using GOOGLE_APPLICATION_CREDENTIALS|could not find default credentials|https?:\/\/\S+"?: exit status \d+\s*$/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.45 }],
    title: 'The credential helper could not produce registry credentials',
    examples: [
      "docker-credential-gcr/helper: could not retrieve GCR's access token: google: error getting credentials using GOOGLE_APPLICATION_CREDENTIALS environment variable: open /kaniko-secret/secret.json: no such file or directory",
      'google: could not find default credentials. See https://developers.google.com/accounts/docs/application-default-credentials for more information.',
    ],
  },
  {
    id: 'unauthenticated-request',
    category: 'auth_missing',
    confidence: 0.9,
    source: 'https://cloud.google.com/artifact-registry/docs/docker/troubleshoot',
    pattern: /Unauthenticated request|request had invalid authentication credentials|anonymous (?:user|caller|token)[^.]{0,60}(?:denied|not allowed|permission)|\bAnonymous (?:user |caller )?is not (?:permitted|allowed|authorized)|failed to fetch anonymous token: unexpected status/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.45 }],
    title: 'The request reached the registry without credentials',
    examples: [
      'Unauthenticated request. Unauthenticated requests do not have permission "artifactregistry.repositories.uploadArtifacts" on resource "projects/acme/locations/us-central1/repositories/apps" (or it may not exist)',
      'failed to fetch anonymous token: unexpected status: 401 Unauthorized',
    ],
  },
  {
    id: 'login-without-password',
    category: 'auth_missing',
    confidence: 0.85,
    source: 'https://github.com/docker/cli/blob/master/cli/command/registry/login.go',
    pattern: /Cannot perform an interactive login from a non TTY device|Username and password required|Error: Username required|must provide --username with --password-stdin|flag needs an argument: '?p'? in -p|flag needs an argument: --password|password[- ]stdin[^.]{0,30}empty/i,
    title: 'docker login ran without a username or password (an empty CI secret?)',
    examples: [
      'Error: Cannot perform an interactive login from a non TTY device',
      'Error: Username and password required',
    ],
  },
  {
    id: 'wrong-username-password',
    category: 'auth_missing',
    confidence: 0.85,
    source: 'https://github.com/docker/cli/blob/master/cli/command/registry/login.go',
    pattern: /incorrect username or password|invalid username(?:\/| or )password|unauthorized: (?:bad|invalid) credentials|login attempt to \S+ failed with status: 401|"message":\s*"Invalid credentials?\b/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.55 }],
    // The registry says the credentials are wrong: a missing repository (which some registries answer
    // with a bare 401) is not what it refused.
    outranks: ['repo_not_found'],
    title: 'The registry rejected the username or password',
    examples: [
      'Error response from daemon: Get "https://registry-1.docker.io/v2/": unauthorized: incorrect username or password',
      'Error: Error response from daemon: login attempt to https://registry.example.com/v2/ failed with status: 401 Unauthorized',
      '{"errors":[{"code":"UNAUTHORIZED","message":"Invalid credential."}]}',
    ],
  },
  {
    id: 'cloud-cli-not-logged-in',
    category: 'auth_missing',
    confidence: 0.88,
    source: 'https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-troubleshooting.html',
    pattern: /Could not load credentials from any providers|Unable to locate credentials|Error when retrieving credentials from|The config profile \([^)]*\) could not be found|Please run 'az login' to setup account|You do not currently have an active account selected|No credentialed accounts|not logged in/i,
    needsRegistryContext: true,
    title: 'The cloud CLI on the runner has no credentials to log Docker in with',
    examples: [
      'Error: Could not load credentials from any providers',
      'Unable to locate credentials. You can configure credentials by running "aws configure".',
      "ERROR: Please run 'az login' to setup account.",
      'ERROR: (gcloud.auth.docker-helper) You do not currently have an active account selected.',
    ],
  },
  {
    id: 'cloud-credentials-invalid',
    category: 'auth_missing',
    confidence: 0.75,
    source: 'https://docs.aws.amazon.com/AmazonECR/APIReference/CommonErrors.html',
    pattern: /SignatureDoesNotMatch|AADSTS\d+|Application with identifier '[^']*' was not found/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.55 }],
    needsRegistryContext: true,
    title: 'The cloud credentials on the runner are not valid',
    examples: [
      'An error occurred (SignatureDoesNotMatch) when calling the GetAuthorizationToken operation: The request signature we calculated does not match the signature you provided.',
      "AADSTS700016: Application with identifier '0000' was not found in the directory 'acme'.",
    ],
  },
  {
    id: 'aws-access-key-not-recognised',
    category: 'auth_expired',
    confidence: 0.78,
    source: 'https://repost.aws/knowledge-center/iam-credentials-token',
    // AWS does not recognise the access key that signed the call: in AWS's words the key is expired or
    // deleted (rotated, deactivated, a temporary key past its session), or the key pair is not the right
    // one. A key that was never set reads "Unable to locate credentials", and a wrong secret for a known key
    // "SignatureDoesNotMatch"; an expired session token has its own "ExpiredToken".
    pattern: /security token included in the request is invalid|UnrecognizedClientException|InvalidClientTokenId/i,
    alsoMeans: [{ category: 'auth_missing', confidence: 0.62 }],
    needsRegistryContext: true,
    title: 'AWS does not recognise the access key on the runner (rotated, deleted or deactivated, or the wrong key)',
    examples: [
      'An error occurred (UnrecognizedClientException) when calling the GetAuthorizationToken operation: The security token included in the request is invalid.',
      'An error occurred (InvalidClientTokenId) when calling the GetAuthorizationToken operation: The security token included in the request is invalid.',
    ],
  },
  {
    id: 'unauthorized-generic',
    category: 'auth_missing',
    confidence: 0.6,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /\bunauthorized: |\b401:? Unauthorized\b|status(?: code)?(?::? |=)401\b|\bHTTP\/?\d?(?:\.\d)? ?401\b/i,
    alsoMeans: [
      { category: 'auth_expired', confidence: 0.45 },
      { category: 'permission_denied', confidence: 0.4 },
    ],
    needsRegistryContext: true,
    examples: [
      'ERROR: failed to solve: failed to push ghcr.io/acme/app:1: unexpected status from POST request to https://ghcr.io/v2/acme/app/blobs/uploads/: 401 Unauthorized',
      'unauthorized: BAD_CREDENTIAL',
      'Get https://registry.example.com/v2/: http: non-successful response (status=401 body="Not Authorized\\n")',
    ],
  },
  {
    id: 'self-hosted-401-missing-project',
    category: 'repo_not_found',
    confidence: 0.52,
    source: 'https://github.com/quay/quay/blob/master/endpoints/v2/errors.py',
    // Harbor and Quay answer 401 rather than 404 for a project or repository that does not exist, so that
    // names cannot be probed.
    pattern: /unauthorized:\s*authentication required|\b401 Unauthorized\b|\b401 UNAUTHORIZED\b/,
    providers: ['other'],
    title: 'The project or repository may not exist (Harbor and Quay answer 401 for those too)',
    examples: ['unauthorized: authentication required'],
  },
  {
    id: 'bearer-token-refused',
    category: 'auth_missing',
    confidence: 0.75,
    source: 'https://github.com/distribution/distribution/blob/main/docs/content/spec/auth/token.md',
    pattern: /no token in bearer response|"message":\s*"Not Authorized\.?"|\bunknown: Unauthorized\b/i,
    alsoMeans: [{ category: 'permission_denied', confidence: 0.5 }],
    title: 'The registry token service refused the credentials',
    examples: [
      'error pushing image: failed to push to destination eu.gcr.io/acme/app:latest: no token in bearer response:',
      '{"errors":[{"code":"UNAUTHORIZED","message":"Not Authorized."}]}',
      'unknown: Unauthorized',
    ],
  },
  {
    id: 'gcr-needed-permissions-or-invalid-credentials',
    category: 'auth_missing',
    confidence: 0.64,
    source: 'https://cloud.google.com/container-registry/docs/troubleshooting',
    pattern: /You don't have the needed permissions to perform this operation, and you may have invalid credentials/i,
    alsoMeans: [{ category: 'permission_denied', confidence: 0.6 }],
    title: 'Google refused the push: the runner has no valid credentials, or its identity lacks push rights',
    examples: [
      'checking push permission for "gcr.io/acme/app:1": POST https://gcr.io/v2/acme/app/blobs/uploads/: UNAUTHORIZED: You don\'t have the needed permissions to perform this operation, and you may have invalid credentials. To authenticate your request, follow the steps in: https://cloud.google.com/container-registry/docs/advanced-authentication',
    ],
  },
  {
    id: 'gcr-unauthorized-permission',
    category: 'permission_denied',
    confidence: 0.5,
    source: 'https://cloud.google.com/container-registry/docs/troubleshooting',
    // Container Registry answers a push the identity has no role for with 401 UNAUTHORIZED too ("You don't
    // have the needed permissions to perform this operation, and you may have invalid credentials"), so on
    // its hosts a bare unauthorized is, after missing credentials, most often a missing permission.
    pattern: /\bunauthorized: |\b401:? Unauthorized\b|status(?: code)?(?::? |=)401\b|\bHTTP\/?\d?(?:\.\d)? ?401\b/i,
    providers: ['gcr'],
    needsRegistryContext: true,
    title: 'Google refused the push: the identity may lack the role on this project (Container Registry answers that with 401 too)',
    examples: ['unauthorized: Unauthorized access.'],
  },
  {
    id: 'aws-get-login-removed',
    category: 'auth_missing',
    confidence: 0.8,
    source: 'https://docs.aws.amazon.com/cli/latest/userguide/cliv2-migration-changes.html#cliv2-migration-ecr-get-login',
    pattern: /argument operation: Invalid choice[^\n]*|Invalid choice, valid choices are[^\n]*get-login-password|get-login[^\n]*Invalid choice/i,
    provider: 'ecr',
    title: '`aws ecr get-login` no longer exists in AWS CLI v2, so Docker never logged in',
    examples: ['aws: error: argument operation: Invalid choice, valid choices are:'],
  },
  {
    id: 'invalid-client-secret',
    category: 'auth_missing',
    confidence: 0.82,
    source: 'https://docs.gitlab.com/user/packages/container_registry/troubleshoot_container_registry/',
    pattern: /Invalid client ?id or client secret|HTTP Basic: Access denied|invalid_client/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.6 }],
    title: 'The registry rejected the client id / secret or token (wrong, rotated or expired)',
    examples: [
      'unauthorized: Invalid clientid or client secret.',
      'Error response from daemon: Get "https://registry.gitlab.com/v2/": unauthorized: HTTP Basic: Access denied',
    ],
  },
  {
    id: 'error-from-registry-unauthorized',
    category: 'auth_missing',
    confidence: 0.65,
    source: 'https://github.com/containers/image/blob/main/docker/docker_client.go',
    pattern: /error from registry: (?:unauthorized|authentication required)|\b401 \(Unauthorized\)/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.45 }],
    examples: [
      'Error: error from registry: unauthorized',
      'Error: authenticating creds for "quay.io": pinging container registry quay.io: invalid status code from registry 401 (Unauthorized)',
    ],
  },
  {
    id: 'pull-access-denied',
    category: 'auth_missing',
    confidence: 0.55,
    source: 'https://docs.docker.com/reference/cli/docker/image/push/',
    pattern: /pull access denied for \S+?, repository does not exist or may require '?docker login/i,
    alsoMeans: [{ category: 'repo_not_found', confidence: 0.5 }],
    title: 'The image could not be pulled: no such repository, or a login is needed',
    examples: [
      "Error response from daemon: pull access denied for acme/private-base, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    ],
  },
  {
    id: 'pull-scope-unauthorized',
    category: 'auth_missing',
    confidence: 0.6,
    source: 'https://github.com/moby/moby/blob/master/distribution/errors.go',
    // A 401 whose scope asks only to pull: a registry that hides private repositories answers a missing one
    // the same way, which is why Docker reads it as "repository does not exist or may require 'docker login'".
    pattern: /\bUNAUTHORIZED: authentication required; \[map\[Action:pull Class: Name:[^\]]*\]\]/,
    alsoMeans: [{ category: 'repo_not_found', confidence: 0.52 }],
    title: 'The registry refused to show this image: no login, or no such repository',
    examples: [
      'GET https://index.docker.io/v2/acme/base/manifests/1.2: UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:acme/base Type:repository]]',
    ],
  },
  {
    id: 'oauth-token-401',
    category: 'permission_denied',
    confidence: 0.62,
    source: 'https://github.com/containerd/containerd/blob/main/core/remotes/docker/authorizer.go',
    pattern: /failed to (?:fetch|authorize)[^\n]{0,40}oauth token[^\n]*\b401\b/i,
    alsoMeans: [{ category: 'auth_missing', confidence: 0.58 }],
    title: 'The token service refused a token with push scope for this repository',
    examples: [
      'Error: failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://auth.docker.io/token?scope=repository%3Aenvoyproxy%2Fgateway-crds-helm%3Apull%2Cpush&service=registry.docker.io: 401 Unauthorized',
    ],
  },

  {
    id: 'token-refused-for-pull',
    category: 'auth_missing',
    confidence: 0.75,
    source: 'https://github.com/distribution/distribution/blob/main/docs/content/spec/auth/token.md',
    // A token server grants whatever subset of the asked actions the client may have; it answers 401 only
    // when the credentials themselves are refused. Asked while resolving an image (BuildKit's metadata step,
    // a pull-only scope, no push asked anywhere on the line), no push right is involved: the credentials
    // sent are wrong or stale.
    pattern: /^(?![^\n]*(?:%3A|%2C|[:,])push\b)[^\n]*(?:(?:load metadata for|Load metadata|failed to resolve source metadata for)\b[^\n]*failed to (?:fetch|authorize)[^\n]{0,40}token|token\?scope=repository(?:%3A|:)[^&\s"]+(?:%3A|:)pull(?:&|"|\s))[^\n]*\b401\b/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.5 }],
    outranks: ['permission_denied'],
    title: 'The registry refused the credentials sent while resolving an image (wrong or stale password or token)',
    examples: [
      'ERROR: failed to solve: registry.example.com/base/python:3.12: failed to resolve source metadata for registry.example.com/base/python:3.12: failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://registry.example.com/service/token: 401 Unauthorized',
      'failed to fetch oauth token: unexpected status from GET request to https://auth.example.com/token?scope=repository%3Alibrary%2Fdebian%3Apull&service=registry.example.com: 401 Unauthorized',
    ],
  },
  {
    id: 'token-exchange-401',
    category: 'auth_missing',
    confidence: 0.75,
    source: 'https://github.com/google/containerregistry/blob/master/client/v2_2/docker_http_.py',
    // Google's Python registry client (gcloud, rules_docker's puller and pusher) asks the token server first
    // and raises its TokenRefreshException on any other answer than 200. A 401 there refuses the credentials
    // sent (distribution's token spec): wrong or stale ones, or none; a missing permission would be a token
    // granted with fewer actions, or a 403.
    pattern: /Bad status during token exchange: 401/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.52 }],
    outranks: ['permission_denied'],
    title: 'The registry token server refused the credentials sent (wrong, stale or none)',
    examples: ['CRITICAL:root:Error publishing provided image: Bad status during token exchange: 401'],
  },
  {
    id: 'federated-token-failed',
    category: 'auth_missing',
    confidence: 0.85,
    source: 'https://github.com/google-github-actions/auth/blob/main/docs/TROUBLESHOOTING.md',
    // Workload identity federation refused the CI job's OIDC token: the job never got Google credentials.
    pattern: /failed to generate Google Cloud (?:federated|access) token|The given credential is rejected by the attribute condition/i,
    alsoMeans: [{ category: 'permission_denied', confidence: 0.5 }],
    needsRegistryContext: true,
    title: 'The CI job could not exchange its identity for Google credentials (workload identity federation)',
    examples: [
      'Error: google-github-actions/auth failed with: failed to generate Google Cloud federated token for //iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci/providers/github: {"error":"unauthorized_client","error_description":"The given credential is rejected by the attribute condition."}',
    ],
  },

  // ── auth_expired ────────────────────────────────────────────────────────────────────────────────
  {
    id: 'refused-after-layers-went-through',
    category: 'auth_expired',
    confidence: 0.87,
    source: 'https://github.com/distribution/distribution/blob/main/docs/content/spec/auth/token.md',
    // Layers pushed or found with the same token before the registry asked for authentication again:
    // the credentials worked, then the token ran out (its `expires_in`) during the push.
    pattern: /^(?:[0-9a-f]{12}: )?(?:Pushed|Layer already exists|Image already exists)\s*$/,
    onlyWith: ['auth_missing'],
    alsoMeans: [{ category: 'auth_missing', confidence: 0.5 }],
    title: 'The registry token expired during the push (layers went through, then authentication was asked again)',
    examples: ['a9ed1f92fa62: Pushed\nunauthorized: authentication required'],
  },
  {
    id: 'upload-session-unauthorized',
    category: 'auth_expired',
    confidence: 0.72,
    source: 'https://github.com/distribution/distribution/blob/main/docs/content/spec/auth/token.md',
    // A bearer token lives as long as its `expires_in` (60 s by default); a refusal in the middle of an
    // upload session (a PATCH or PUT to an upload already started) means it ran out, not that the
    // repository is missing.
    pattern: /(?:PATCH|PUT) (?:request to )?"?https?:\/\/\S+\/blobs\/uploads\/[\w.=%-]{8,}[^\s":]*"?:? (?:[^\n]*\b401\b|UNAUTHORIZED:|unauthorized:)/i,
    alsoMeans: [{ category: 'auth_missing', confidence: 0.5 }],
    title: 'The registry token expired during a long layer upload',
    examples: [
      'failed to push registry.example.com/acme/app:1: unexpected status from PUT request to https://registry.example.com/v2/acme/app/blobs/uploads/6f1c2d8e-aaaa-bbbb-cccc-0123456789ab?digest=sha256%3Aabc: 401 Unauthorized',
      'PATCH https://registry.example.com/v2/acme/app/blobs/uploads/6f1c2d8e-aaaa-bbbb: UNAUTHORIZED: authentication required',
    ],
  },
  {
    id: 'authorization-token-expired',
    category: 'auth_expired',
    confidence: 0.95,
    source: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/common-errors-docker.html',
    pattern: /authorization token has expired|ExpiredToken(?:Exception)?\b|security token included in the request is expired/i,
    provider: 'ecr',
    title: 'The registry token has expired',
    examples: [
      'denied: Your authorization token has expired. Reauthenticate and try again.',
      'An error occurred (ExpiredTokenException) when calling the GetAuthorizationToken operation: The security token included in the request is expired',
    ],
  },
  {
    id: 'token-expired',
    category: 'auth_expired',
    confidence: 0.9,
    source: 'https://github.com/distribution/distribution/blob/main/docs/content/spec/auth/token.md',
    pattern: /token (?:has |is )?expired|expired token|jwt expired|credentials? (?:have|has) expired|session (?:has )?expired/i,
    needsRegistryContext: true,
    title: 'The registry token has expired',
    examples: ['unauthorized: token expired', 'The push refers to repository [ghcr.io/acme/app]\ndenied: expired token'],
  },
  {
    id: 'oauth-invalid-grant',
    category: 'auth_expired',
    confidence: 0.9,
    source: 'https://developers.google.com/identity/protocols/oauth2#expiration',
    pattern: /invalid_grant|invalid_rapt|reauth related error|Token has been expired or revoked|problem refreshing your current auth tokens|refresh token (?:has )?expired|AADSTS7000222|AADSTS700024|AADSTS70043|AADSTS700082/i,
    title: 'The stored login (refresh token or client secret) has expired; log in again',
    examples: [
      '  "error": "invalid_grant",',
      '  "error_description": "reauth related error (invalid_rapt)",',
      'AADSTS7000222: The provided client secret keys for app \'0000\' are expired.',
    ],
  },
  {
    id: 'clock-skew',
    category: 'other',
    confidence: 0.7,
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html',
    pattern: /Signature expired: \S+ is now earlier than|RequestExpired|RequestTimeTooSkewed|clock skew|token used before issued|not yet valid/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.5 }],
    needsRegistryContext: true,
    title: "The runner's clock is wrong, so signed requests and tokens are refused",
    examples: ['An error occurred (InvalidSignatureException) when calling the GetAuthorizationToken operation: Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z'],
  },
  {
    id: 'hub-token-required',
    category: 'auth_missing',
    confidence: 0.88,
    source: 'https://docs.docker.com/security/for-developers/access-tokens/',
    // Docker Hub no longer takes the account password once two-factor authentication or SSO is enforced:
    // the credential sent is not one it accepts, and a personal access token is needed instead.
    pattern: /please use personal access token to login/i,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.55 }],
    provider: 'dockerhub',
    title: 'Docker Hub refused the password: since 2FA or SSO was enforced it needs a personal access token',
    examples: [
      'Error response from daemon: Head "https://registry-1.docker.io/v2/acme/app/manifests/latest": unauthorized: please use personal access token to login',
      "{u'message': u'unauthorized: please use personal access token to login when SSO is enforced'}",
    ],
  },
  {
    id: 'token-cannot-be-authenticated',
    category: 'auth_missing',
    confidence: 0.62,
    source: 'https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-container-registry',
    pattern: /User cannot be authenticated with the token provided/i,
    provider: 'ghcr',
    alsoMeans: [{ category: 'auth_expired', confidence: 0.6 }],
    title: 'The registry rejected the token (wrong, not the one logged in with, expired or revoked)',
    examples: ['unauthorized: unauthenticated: User cannot be authenticated with the token provided.'],
  },
  {
    id: 'token-invalid',
    category: 'auth_missing',
    confidence: 0.62,
    source: 'https://github.com/distribution/distribution/blob/main/docs/content/spec/auth/token.md',
    pattern: /unauthorized: (?:bad credentials|invalid token)|token (?:is )?(?:invalid|revoked)|invalid token/i,
    needsRegistryContext: true,
    alsoMeans: [{ category: 'auth_expired', confidence: 0.6 }],
    title: 'The registry rejected the token (wrong, expired or revoked)',
    examples: ['unauthorized: invalid token'],
  },

  // ── permission_denied ──────────────────────────────────────────────────────────────────────────
  {
    id: 'regclient-blob-post-unauthorized',
    category: 'permission_denied',
    confidence: 0.6,
    source: 'https://github.com/regclient/regclient/blob/main/scheme/reg/blob.go',
    // regclient starts each layer upload with a POST; refused there, after the login step, the token
    // usually lacks push on the repository (or the repository may not be created by this account).
    pattern: /failed to send blob post, (?:digest \S+, )?ref \S+: (?:unauthorized|forbidden|denied)/i,
    alsoMeans: [
      { category: 'auth_missing', confidence: 0.5 },
      { category: 'repo_not_found', confidence: 0.4 },
    ],
    title: 'The registry refused the layer upload: this login may not push to (or create) the repository',
    examples: ['failed to send blob post, ref registry.example.com/team/app:1.0: unauthorized'],
  },
  {
    id: 'oci-code-denied',
    category: 'permission_denied',
    confidence: 0.55,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /"code":\s*"DENIED"/,
    alsoMeans: [{ category: 'auth_missing', confidence: 0.45 }],
    examples: ['{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}'],
  },
  {
    id: 'json-error-forbidden',
    category: 'permission_denied',
    confidence: 0.7,
    source: 'https://github.com/quay/quay/blob/master/endpoints/appr/__init__.py',
    // Quay's App Registry API (and other registry APIs) answer `{"error":{"code":"forbidden",…}}`: the
    // caller is known and lacks the scope it asked for.
    pattern: /"code":\s*"forbidden"|answered: '?forbidden'?/,
    alsoMeans: [{ category: 'auth_missing', confidence: 0.45 }],
    title: 'The registry knows the caller and refused it the access asked for',
    examples: ['ERROR:operatorcourier.push:{"error":{"code":"forbidden","details":{"package":"acme/app-operator","scopes":["create"]},"message":"Unauthorized access for: acme/app-operator"}}'],
  },
  {
    id: 'jib-forbidden',
    category: 'permission_denied',
    confidence: 0.85,
    source: 'https://github.com/GoogleContainerTools/jib/blob/master/jib-plugins-common/src/main/java/com/google/cloud/tools/jib/plugins/common/HelpfulSuggestions.java',
    pattern: /perhaps you should make sure you have permissions? for/i,
    alsoMeans: [{ category: 'auth_missing', confidence: 0.45 }],
    title: 'The registry refused Jib: the credentials lack push rights on this image',
    examples: ['Build image failed, perhaps you should make sure you have permissions for gcr.io/acme/app'],
  },
  {
    id: 'iam-not-authorized-to-perform',
    category: 'permission_denied',
    confidence: 0.96,
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html',
    pattern: /is not authorized to perform:\s*(?<permission>[\w-]+:[\w*]+)/i,
    provider: 'ecr',
    title: 'The IAM principal lacks a push permission',
    examples: [
      'denied: User: arn:aws:sts::754256621582:assumed-role/cloud-platform-ecr-github/GitHubActions is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-2:754256621582:repository/laa-pcuam/csv-converter because no identity-based policy allows the ecr:InitiateLayerUpload action',
      'An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action',
    ],
  },
  {
    id: 'ecr-access-denied-exception',
    category: 'permission_denied',
    confidence: 0.85,
    source: 'https://docs.aws.amazon.com/AmazonECR/APIReference/CommonErrors.html',
    pattern: /AccessDeniedException/,
    provider: 'ecr',
    title: 'AWS denied the ECR call',
    examples: ['An error occurred (AccessDeniedException) when calling the CreateRepository operation'],
  },
  {
    id: 'gcp-permission-denied-on-resource',
    category: 'permission_denied',
    confidence: 0.68,
    source: 'https://cloud.google.com/artifact-registry/docs/docker/troubleshoot',
    // Seen with three causes; in the threads that settled, most often Docker was not using gcloud
    // credentials for this regional host (`gcloud auth configure-docker LOCATION-docker.pkg.dev`).
    pattern: /Permission "?(?<permission>[\w.]+)"? denied on resource|Caller is missing permission|does not have (?:the )?permission "?(?<permission2>[\w.]+)"?|PERMISSION_DENIED/i,
    alsoMeans: [
      { category: 'auth_missing', confidence: 0.7 },
      { category: 'repo_not_found', confidence: 0.5 },
    ],
    providers: ['gar', 'ecr', 'acr', 'dockerhub', 'ghcr', 'other'],
    title: 'Google refused the push: no credentials for this host, no IAM role, or no such repository',
    examples: [
      'denied: Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "projects/acme/locations/europe-west1/repositories/apps" (or it may not exist)',
      'ERROR: (gcloud.artifacts.docker.images.list) PERMISSION_DENIED: Permission denied on resource project acme.',
    ],
  },
  {
    id: 'gcr-permission-denied-on-resource',
    category: 'permission_denied',
    confidence: 0.72,
    source: 'https://cloud.google.com/sdk/gcloud/reference/auth/configure-docker',
    // The same refusal on a gcr.io host: `gcloud auth configure-docker` with no argument registers the
    // credential helper for the gcr.io hosts (only the regional *-docker.pkg.dev hosts need naming), so
    // here an identity was most often sent and lacks the role.
    pattern: /Permission "?(?<permission>[\w.]+)"? denied on resource|Caller is missing permission|does not have (?:the )?permission "?(?<permission2>[\w.]+)"?|PERMISSION_DENIED/i,
    alsoMeans: [
      { category: 'auth_missing', confidence: 0.6 },
      { category: 'repo_not_found', confidence: 0.5 },
    ],
    providers: ['gcr'],
    title: 'Google refused the push: the identity lacks the role on the gcr.io repository (or sent no credentials)',
    examples: [
      'GET https://gcr.io/v2/token?scope=repository%3Aacme%2Fapp%3Apush%2Cpull&service=gcr.io: DENIED: Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "projects/acme/locations/us/repositories/gcr.io" (or it may not exist)',
    ],
  },
  {
    id: 'gcr-token-exchange-failed',
    category: 'permission_denied',
    confidence: 0.6,
    source: 'https://cloud.google.com/container-registry/docs/troubleshooting',
    pattern: /Token exchange failed for project|Caller does not have permission/i,
    provider: 'gcr',
    alsoMeans: [{ category: 'auth_missing', confidence: 0.58 }],
    title: 'GCR refused the token exchange: no storage permission for this identity, or Docker is not using gcloud credentials',
    examples: [
      "denied: Token exchange failed for project 'devopsdemo'. Caller does not have permission 'storage.buckets.get'. To configure permissions, follow instructions at: https://cloud.google.com/container-registry/docs/access-control",
    ],
  },
  {
    id: 'acr-refresh-token-401',
    category: 'permission_denied',
    confidence: 0.88,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-troubleshoot-login',
    pattern: /Access to registry '[^']*' was denied\. Response code: 401/i,
    provider: 'acr',
    title: 'The Azure identity has no role on this registry',
    examples: [
      "Access to registry 'myregistry.azurecr.io' was denied. Response code: 401. Please try running 'az login' again to refresh permissions.",
    ],
  },
  {
    id: 'acr-connectivity-error',
    category: 'permission_denied',
    confidence: 0.5,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-health-error-reference',
    // The codes with a reading of their own (a proxy's TLS, DNS, the challenge step that precedes any
    // identity check) have their own rules.
    pattern: /CONNECTIVITY_(?!SSL_|DNS_|CHALLENGE_)[A-Z_]+_ERROR/,
    provider: 'acr',
    alsoMeans: [
      { category: 'firewall_denied', confidence: 0.45 },
      { category: 'network', confidence: 0.4 },
    ],
    examples: ['Unable to get AAD authorization tokens with message: An error occurred: CONNECTIVITY_REFRESH_TOKEN_ERROR'],
  },
  {
    id: 'ghcr-installation-not-allowed',
    category: 'permission_denied',
    confidence: 0.92,
    source: 'https://docs.github.com/en/packages/managing-github-packages-using-github-actions-workflows/publishing-and-installing-a-package-with-github-actions',
    pattern: /installation not allowed to|permission_denied: (?:write_package|create_package|The token provided does not match expected scopes)|resource not accessible by integration/i,
    provider: 'ghcr',
    title: 'The workflow token may not write this package',
    examples: [
      'denied: installation not allowed to Create organization package',
      'denied: permission_denied: write_package',
    ],
  },
  {
    id: 'insufficient-scope',
    category: 'permission_denied',
    confidence: 0.85,
    source: 'https://github.com/distribution/distribution/blob/main/docs/content/spec/auth/token.md',
    pattern: /insufficient_scope|unauthorized to access repository[^\n]*action: push|not authorized to push|not allowed to push/i,
    // The token server grants an anonymous client (no credentials sent) only what anyone may do: no push.
    alsoMeans: [{ category: 'auth_missing', confidence: 0.55 }],
    title: 'The credentials do not grant push on this repository',
    examples: [
      'insufficient_scope: authorization failed',
      'unauthorized: unauthorized to access repository: library/app, action: push: unauthorized to access repository: library/app, action: push',
    ],
  },
  {
    id: 'assume-role-denied',
    category: 'permission_denied',
    confidence: 0.85,
    source: 'https://github.com/aws-actions/configure-aws-credentials#oidc',
    pattern: /Not authorized to perform sts:AssumeRole(?:WithWebIdentity)?|AccessDenied[^\n]*AssumeRole/i,
    alsoMeans: [{ category: 'auth_missing', confidence: 0.5 }],
    title: "The CI job may not assume the AWS role (the role's trust policy does not allow it)",
    examples: ['Error: Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity'],
  },
  {
    id: 'permission-denied-code',
    category: 'permission_denied',
    confidence: 0.85,
    source: 'https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-container-registry',
    pattern: /\bpermission_denied: |insufficient scopes?|token (?:does not have|lacks) (?:the )?(?:required )?scopes?/i,
    examples: [
      'denied: permission_denied: The requested installation does not exist.',
      'unauthorized: access token has insufficient scopes',
    ],
  },
  {
    id: 'push-access-denied',
    category: 'permission_denied',
    confidence: 0.7,
    source: 'https://github.com/containerd/containerd/blob/main/core/remotes/docker/pusher.go',
    pattern: /push access denied, repository does not exist or may require authorization/i,
    alsoMeans: [
      { category: 'auth_missing', confidence: 0.55 },
      { category: 'repo_not_found', confidence: 0.5 },
    ],
    title: 'The registry refused the push: no push rights, no login, or no such repository',
    examples: [
      'ERROR: failed to solve: failed to push docker.io/acme/app:2: push access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    ],
  },
  {
    id: 'kms-denied',
    category: 'permission_denied',
    confidence: 0.8,
    source: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html',
    pattern: /KmsException|kms:(?:Decrypt|GenerateDataKey|CreateGrant)|KMS key[^\n]{0,60}(?:denied|not authorized|disabled)/i,
    title: 'The identity may not use the KMS key that encrypts the repository',
    examples: ['An error occurred (KmsException) when calling the InitiateLayerUpload operation: User is not authorized to perform kms:GenerateDataKey'],
  },
  {
    id: 'error-from-registry-denied',
    category: 'permission_denied',
    confidence: 0.65,
    source: 'https://github.com/containers/image/blob/main/docker/docker_client.go',
    pattern: /error from registry: (?:denied|permission|forbidden|access)|\b403 \(Forbidden\)|\bAccessDenied\b|retrieving permissions failed/i,
    alsoMeans: [{ category: 'auth_missing', confidence: 0.45 }],
    needsRegistryContext: true,
    examples: [
      'Error: error from registry: denied',
      'Error: writing blob: initiating layer upload to /v2/acme/app/blobs/uploads/ in registry.example.com: invalid status code from registry 403 (Forbidden)',
      'denied: retrieving permissions failed',
    ],
  },
  {
    id: 'requested-access-denied',
    category: 'permission_denied',
    confidence: 0.65,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /requested access to the resource is denied/i,
    alsoMeans: [{ category: 'auth_missing', confidence: 0.52 }],
    title: 'The registry denied access: a namespace you do not own, or no login for this host',
    examples: ['denied: requested access to the resource is denied'],
  },
  {
    id: 'requested-access-denied-quota',
    category: 'quota_exceeded',
    confidence: 0.55,
    source: 'https://goharbor.io/docs/main/administration/configure-project-quotas/',
    // Harbor and other self-hosted registries answer a project quota (tag or storage count) with the same words.
    // Quotas are counted when a manifest is committed or a blob completes (or is mounted from another
    // repository), not when a plain upload starts: a refusal at the start of a layer upload is not one.
    pattern: /requested access to the resource is denied(?<!initiat(?:ing|e) (?:a )?(?:layer|blob) upload[^\n]*requested access to the resource is denied)/i,
    providers: ['other'],
    examples: ['denied: requested access to the resource is denied'],
  },
  {
    id: 'access-denied',
    category: 'permission_denied',
    confidence: 0.62,
    source: 'https://cloud.google.com/container-registry/docs/troubleshooting',
    pattern: /\bDENIED: Access denied|"Access denied\."|\bdenied: access forbidden|access to the requested resource is not authorized|Status 403 trying to push|\baccess denied\b/i,
    alsoMeans: [{ category: 'auth_missing', confidence: 0.55 }],
    needsRegistryContext: true,
    examples: [
      'error pushing image: failed to push to destination gcr.io/acme/app:2.0.10: DENIED: Access denied.',
      'Error: Status 403 trying to push repository google_containers/elasticsearch: "Access denied."',
    ],
  },
  {
    id: 'http-403',
    category: 'permission_denied',
    confidence: 0.55,
    source: 'https://github.com/containerd/containerd/blob/main/core/remotes/errors/errors.go',
    pattern: /\b403 Forbidden\b|status(?: code)?:? 403\b|\bHTTP(?:\/\d(?:\.\d)?)? 403\b|unexpected status(?: code)?:? 403/i,
    alsoMeans: [
      { category: 'firewall_denied', confidence: 0.4 },
      { category: 'auth_missing', confidence: 0.35 },
    ],
    needsRegistryContext: true,
    examples: ['failed to push registry.example.com/app:1: unexpected status: 403 Forbidden'],
  },
  {
    id: 'http-403-self-hosted',
    category: 'auth_missing',
    confidence: 0.45,
    source: 'https://github.com/project-zot/zot/blob/main/pkg/api/authz.go',
    // Self-hosted registries may answer a request that carries no credentials with 403, not 401 (zot's
    // authorization answered every refusal, anonymous ones included, with 403 DENIED): there the second
    // cause of a 403 is missing credentials, not a cloud firewall.
    pattern: /\b403 Forbidden\b|status(?: code)?:? 403\b|unexpected status(?: code)?:? 403/i,
    providers: ['other'],
    needsRegistryContext: true,
    examples: ['Error: unexpected status from POST request to https://192.168.1.10:5000/v2/charts/app/blobs/uploads/: 403 Forbidden'],
  },
  {
    id: 'denied-generic',
    category: 'permission_denied',
    confidence: 0.5,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /\bdenied: /i,
    alsoMeans: [{ category: 'auth_missing', confidence: 0.45 }],
    needsRegistryContext: true,
    examples: ['denied: denied'],
  },

  {
    id: 'cloud-build-bucket-forbidden',
    category: 'permission_denied',
    confidence: 0.8,
    source: 'https://cloud.google.com/build/docs/iam-roles-permissions',
    // `gcloud builds submit` stages the source in the project's `<project>_cloudbuild` bucket before any
    // build or push: refused there, the identity lacks the storage and service-usage permissions Cloud Build
    // needs in that project (an organisation policy can refuse it too).
    pattern: /forbidden from accessing the bucket \[[^\]]*\]|has the "serviceusage\.services\.use" permission/i,
    provider: 'gcr',
    alsoMeans: [{ category: 'firewall_denied', confidence: 0.35 }],
    title: 'The identity running gcloud builds submit may not use the project\'s Cloud Build bucket',
    examples: [
      'ERROR: (gcloud.builds.submit) The user is forbidden from accessing the bucket [acme-prod_cloudbuild]. Please check your organization\'s policy or if the user has the "serviceusage.services.use" permission',
    ],
  },
  {
    id: 'quay-no-write-permission',
    category: 'permission_denied',
    confidence: 0.85,
    source: 'https://docs.quay.io/issues/no-repo-write-permission.html',
    // Quay's own wording for a write the account (user or robot) has no permission for; its error body
    // links the page above as `info_url`.
    pattern: /do not have permission to modify repository|issues\/no-repo-write-permission/i,
    title: 'The Quay account may read but not write this repository',
    examples: [
      'Error: Status 403 trying to push repository acme/web: {"info_url": "https://docs.quay.io/issues/no-repo-write-permission.html", "error": "You do not have permission to modify repository acme/web"}',
    ],
  },

  // ── repo_not_found ─────────────────────────────────────────────────────────────────────────────
  {
    id: 'containers-image-dest-unauthorized',
    category: 'repo_not_found',
    confidence: 0.55,
    source: 'https://github.com/containers/image/blob/main/docker/docker_image_dest.go',
    // containers/image checks each blob on the destination first; a 401 to that check is what registries
    // such as Docker Hub answer for a repository that does not exist yet, or for missing credentials.
    pattern: /not authorized to read from destination repository/i,
    alsoMeans: [
      { category: 'auth_missing', confidence: 0.5 },
      { category: 'permission_denied', confidence: 0.45 },
    ],
    title: 'The destination repository refused even a read (it may not exist yet, or the login does not cover it)',
    examples: ['Error writing blob: not authorized to read from destination repository acme/app'],
  },
  {
    id: 'quay-unauthorized-missing-repository',
    category: 'repo_not_found',
    confidence: 0.58,
    source: 'https://github.com/quay/quay/blob/master/endpoints/v2/errors.py',
    // Quay's Unauthorized answer to a write; it is also what a robot account gets for a repository that does
    // not exist and that it may not create. Of the three causes (no write permission, no such repository,
    // no credentials), a push was refused for the first two more often: a user or robot logged in for the
    // push, and Quay creates a repository on push only for a user who owns the namespace. On a read (a
    // blob or manifest checked), missing credentials stay the likelier cause and this rule stays out.
    pattern: /access to the requested resource is not authorized(?<!(?:checking whether a blob|reading manifest|reading blob|pulling)[^\n]*access to the requested resource is not authorized)/i,
    providers: ['other'],
    outranks: ['auth_missing', 'auth_expired'],
    title: 'The repository may not exist (Quay answers unauthorized when a robot account cannot create it)',
    examples: ['unauthorized: access to the requested resource is not authorized'],
  },
  {
    id: 'ecr-repository-does-not-exist',
    category: 'repo_not_found',
    confidence: 0.96,
    source: 'https://docs.aws.amazon.com/AmazonECR/APIReference/CommonErrors.html',
    pattern: /RepositoryNotFoundException|The repository with name '(?<repository>[^']+)' does not exist/i,
    provider: 'ecr',
    examples: [
      "name unknown: The repository with name 'app' does not exist in the registry with id '123456789012'",
      "An error occurred (RepositoryNotFoundException) when calling the DescribeRepositories operation: The repository with name 'app' does not exist in the registry with id '123456789012'",
    ],
  },
  {
    id: 'name-unknown',
    category: 'repo_not_found',
    confidence: 0.88,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /NAME_UNKNOWN|name unknown|repository name not known to registry|Repository "?(?<repository>[\w.-]+)"? not found|repository (?:does not exist(?! or may require)|not found)|repository [\w./-]+ not found/i,
    examples: [
      'name unknown: Repository not found',
      '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}',
      'denied: Repository "apps" not found',
    ],
  },
  {
    id: 'http-404-on-push',
    category: 'repo_not_found',
    confidence: 0.55,
    source: 'https://github.com/containerd/containerd/blob/main/core/remotes/errors/errors.go',
    pattern: /error parsing HTTP 404 response body|(?:POST|PUT|PATCH|HEAD) request to \S+: 404 Not Found|status(?: code)?:? 404\b|\b404 \(Not Found\)/i,
    alsoMeans: [{ category: 'network', confidence: 0.4 }],
    needsRegistryContext: true,
    title: 'The registry answered 404: no such repository, or the URL does not reach the registry API',
    examples: [
      "error parsing HTTP 404 response body: invalid character '<' looking for beginning of value: \"<html><body>Not Found</body></html>\"",
      'Error: writing blob: initiating layer upload to /v2/acme/app/blobs/uploads/ in registry.example.com: invalid status code from registry 404 (Not Found)',
    ],
  },
  {
    id: 'read-denied',
    category: 'repo_not_found',
    confidence: 0.6,
    source: 'https://github.com/moby/moby/blob/master/distribution/errors.go',
    // A refusal of a read (a manifest fetched, a token asked with pull scope only): Docker itself reads a
    // DENIED answer to a pull as "repository does not exist or may require 'docker login'" (translatePullError),
    // since registries hide a repository one may not see behind the same denial.
    // containers/image prints the read and then its errors on the following lines ("… in HOST/NAME: errors:").
    pattern:
      /^(?![^\n]*(?:%3A|%2C|[:,])push\b)[^\n]*(?:reading manifest \S+ in \S+|failed to perform "(?:FetchReference|Resolve|Fetch)" on source|token\?scope=repository(?:%3A|:)[^&\s"]+(?:%3A|:)pull(?:&|"|\s))[^\n]*(?:\bdenied\b|\b403\b|errors:\s*$)/i,
    onlyWith: ['permission_denied', 'auth_missing'],
    title: 'The registry refused to show this image: it may not exist (registries hide what one may not read)',
    examples: [
      'Error: failed to perform "FetchReference" on source: GET "https://ghcr.io/v2/acme/charts/app/manifests/1.0.0": GET "https://ghcr.io/token?scope=repository%3Aacme%2Fcharts%2Fapp%3Apull&service=ghcr.io": response status code 403: denied: requested access to the resource is denied',
    ],
  },
  {
    id: 'hub-official-image-missing',
    category: 'repo_not_found',
    confidence: 0.88,
    source: 'https://docs.docker.com/docker-hub/image-library/trusted-content/',
    // A name without a namespace is a Docker Official Image (`docker.io/library/NAME`, Docker's own
    // normalisation), and those are public to everyone: a read of one refused is a name that is not an
    // official image (a missing namespace, a typo), or an image that exists only on the local machine: a
    // tool that reads registries (skopeo's `docker://`, crane, cosign, a BuildKit builder in its own container)
    // does not see the local daemon's images, which have their own transport (`docker-daemon:`, see
    // containers-transports(5)). No login or permission is needed to read an official image, so the refusal's
    // own readings rank below this one.
    pattern:
      /reading manifest \S+ in docker\.io\/library\/(?!(?:docker-daemon|docker-archive|oci|oci-archive|dir|containers-storage|ostree|sif)\b)[\w.-]+|\bGET "?https:\/\/(?:index|registry-1)\.docker\.io\/v2\/library\/[\w.-]+\/manifests\//i,
    onlyWith: ['permission_denied', 'auth_missing'],
    outranks: ['auth_missing', 'auth_expired', 'permission_denied'],
    alsoMeans: [{ category: 'image_not_found_locally', confidence: 0.7 }],
    provider: 'dockerhub',
    title: 'There is no official image of this name on Docker Hub (official images are public): add the namespace, or check the name',
    examples: ['Error reading manifest latest in docker.io/library/acme-app: errors:\ndenied: requested access to the resource is denied'],
  },
  {
    id: 'helm-push-without-namespace',
    category: 'repo_not_found',
    confidence: 0.7,
    source: 'https://goharbor.io/docs/2.13.0/working-with-projects/working-with-oci/working-with-helm-oci-charts/',
    // `helm push CHART.tgz oci://HOST/NAMESPACE` appends the chart's name to the reference; given only a host,
    // the chart's name becomes the project or namespace, which Harbor (a project must exist first) and most
    // registries do not have, and refuse like a push without rights. A cause only next to such a refusal.
    pattern: /\bhelm push \S+ oci:\/\/[^\/\s]+\/?(?=\s|$)/i,
    onlyWith: ['permission_denied', 'auth_missing'],
    title: "The chart was pushed to the registry's root: helm push needs oci://HOST/PROJECT (the chart name is appended)",
    examples: ['helm push ./app-1.0.0.tgz oci://registry.example.com\nError: unexpected status: 401 Unauthorized'],
  },
  {
    id: 'registry-unknown-not-found',
    category: 'repo_not_found',
    confidence: 0.55,
    source: 'https://github.com/distribution/distribution/blob/main/internal/client/errors.go',
    // A registry's 404 as Docker renders it: an error body whose code it does not know (Artifactory's has
    // none) becomes "unknown: <message>", here the 404's own "Not Found". A registry answer by construction,
    // so it needs no other registry word on its line.
    pattern: /^(?:[^\n]*: )?unknown: Not Found\s*$/i,
    alsoMeans: [{ category: 'network', confidence: 0.4 }],
    title: 'The registry answered 404: no such repository, or the URL does not reach the registry API',
    examples: ['unknown: Not Found'],
  },
  {
    id: 'gar-missing-repository-component',
    category: 'repo_not_found',
    confidence: 0.88,
    source: 'https://cloud.google.com/artifact-registry/docs/docker/troubleshoot',
    pattern: /Missing image name\. Pushes should be of the form/i,
    provider: 'gar',
    title: 'The image path has no Artifact Registry repository: use HOST/PROJECT/REPOSITORY/IMAGE',
    examples: [
      'time="2020-10-22T16:31:37Z" level=debug msg="unexpected response" body="{\\"errors\\":[{\\"code\\":\\"NAME_INVALID\\",\\"message\\":\\"Missing image name. Pushes should be of the form docker push HOST-NAME/PROJECT-ID/REPOSITORY/IMAGE\\"}]}\\n"',
    ],
  },
  {
    id: 'hub-nested-repository',
    category: 'repo_not_found',
    confidence: 0.8,
    source: 'https://docs.docker.com/docker-hub/repos/create/',
    // A Docker Hub repository is `namespace/name`: a deeper path (`acme/charts/app`) cannot exist there,
    // and Docker Hub answers it with the same 401/denied as a refusal. Often the push was meant for
    // another registry, or for a namespace the pusher does not hold.
    pattern: /(?:registry-1|index)\.docker\.io\/v2\/[\w.-]+\/[\w.-]+\/[\w.-]+\/(?:[\w.-]+\/)*(?:manifests|blobs|tags)\/|push refers to (?:a )?repository \[docker\.io\/[\w.-]+\/[\w.-]+\/[\w.-]+/i,
    alsoMeans: [{ category: 'permission_denied', confidence: 0.62 }],
    provider: 'dockerhub',
    title: 'Docker Hub has no nested repositories: this name (namespace/a/b) cannot exist there',
    examples: [
      'Error: failed to perform "Exists" on destination: HEAD "https://registry-1.docker.io/v2/acme/charts/app/manifests/sha256:1d9f2afff2a95362dd13d4f5b0e573ac2891f811e272881b6ac7f7c88239e5aa": response status code 401: Unauthorized',
      'The push refers to repository [docker.io/acme/team/app]',
    ],
  },
  {
    id: 'hub-nested-reference',
    category: 'repo_not_found',
    confidence: 0.7,
    source: 'https://docs.docker.com/docker-hub/repos/create/',
    // The same name written as a reference (a build tool's `building [docker.io/acme/team/app]`) rather than
    // a request URL: a cause only next to a refusal, since a tool may print a reference it never pushed.
    pattern: /(?<![\w.-])docker\.io\/(?!v[12]\/)[\w.-]+\/[\w.-]+\/[\w.-]+/i,
    onlyWith: ['permission_denied', 'auth_missing'],
    alsoMeans: [{ category: 'permission_denied', confidence: 0.62 }],
    provider: 'dockerhub',
    title: 'Docker Hub has no nested repositories: this name (namespace/a/b) cannot exist there',
    examples: ['building [docker.io/acme/team/app]: build artifact: denied: requested access to the resource is denied'],
  },
  {
    id: 'hub-namespace-cannot-exist',
    category: 'repo_not_found',
    confidence: 0.6,
    source: 'https://docs.docker.com/accounts/create-account/',
    // A Docker ID (the namespace of a Docker Hub repository) has only lower-case letters and digits: a
    // namespace with `-`, `_` or `.` is not an account, so a push to it is refused like a push to a
    // namespace one does not own (often a GitHub user or organisation name used as it is).
    // A cause only next to a refusal: other tools' rules for the namespace differ, and older namespaces may too.
    pattern: /push refers to (?:a )?repository \[docker\.io\/[a-z0-9]*[-_.][\w.-]*\/[^\]\s]+\]/,
    onlyWith: ['permission_denied', 'auth_missing'],
    provider: 'dockerhub',
    title: 'This Docker Hub namespace may not exist: Docker IDs are lower-case letters and digits only',
    examples: ['The push refers to repository [docker.io/acme-corp/app]\ndenied: requested access to the resource is denied'],
  },
  {
    id: 'name-invalid',
    category: 'other',
    confidence: 0.75,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    // NAME_INVALID is a malformed name (upper case, a character or a path depth the registry refuses);
    // a missing repository is NAME_UNKNOWN.
    pattern: /NAME_INVALID|\bname invalid: |invalid repository name/i,
    alsoMeans: [{ category: 'repo_not_found', confidence: 0.45 }],
    title: 'The registry does not accept this repository name (malformed: case, characters or path depth)',
    examples: ['{"errors":[{"code":"NAME_INVALID","message":"invalid repository name"}]}'],
  },
  {
    id: 'gcp-project-not-found',
    category: 'repo_not_found',
    confidence: 0.9,
    source: 'https://cloud.google.com/container-registry/docs/deprecations/container-registry-deprecation',
    pattern: /Project '(?:projects\/)?[^']+' not found or deleted|Container Registry is deprecated and shutting down/i,
    provider: 'gcr',
    title: 'The Google Cloud project in the image path does not exist',
    examples: [
      "build artifact: unknown: Project 'projects/vfarcic' not found or deleted.",
      "denied: Container Registry is deprecated and shutting down, please use the auto migration tool to migrate to Artifact Registry (gcloud artifacts docker upgrade migrate --projects='acme').",
    ],
  },
  {
    id: 'project-not-found',
    category: 'repo_not_found',
    confidence: 0.8,
    source: 'https://github.com/goharbor/harbor/blob/main/src/lib/errors/const.go',
    pattern: /\bproject [\w.-]+ not found|project (?:does not exist|not found)/i,
    needsRegistryContext: true,
    title: 'The registry project or namespace in the image path does not exist',
    examples: ['unknown: project library2 not found: project library2 not found'],
  },
  {
    id: 'registry-login-server-unreachable',
    category: 'network',
    confidence: 0.75,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-troubleshoot-login',
    pattern: /Could not connect to the registry login server/i,
    provider: 'acr',
    alsoMeans: [{ category: 'repo_not_found', confidence: 0.5 }],
    title: 'The registry login server could not be reached (or the registry does not exist)',
    examples: [
      "Could not connect to the registry login server 'acme.azurecr.io'. Please verify that the registry exists and the URL 'https://acme.azurecr.io/' is reachable from your environment.",
    ],
  },
  {
    id: 'azure-registry-not-found',
    category: 'repo_not_found',
    confidence: 0.6,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-troubleshoot-login',
    pattern: /type 'Microsoft\.ContainerRegistry\/registries' could not be found|ResourceNotFound[^\n]*ContainerRegistry|registry '[^']+' not found/i,
    provider: 'acr',
    title: 'The Azure container registry was not found in this subscription',
    examples: [
      "Unable to get admin user credentials with message: The resource with name 'myregistry' and type 'Microsoft.ContainerRegistry/registries' could not be found in subscription 'prod (0000)'.",
    ],
  },
  {
    id: 'ecr-retrying-layers',
    category: 'repo_not_found',
    confidence: 0.55,
    source: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/common-errors-docker.html',
    // ECR answers the blob-upload POST for a missing repository (or a missing IAM action) with an error
    // the Docker CLI does not print: it retries each layer, then says EOF.
    pattern: /^[0-9a-f]{12}: Retrying in \d+ seconds?|blobs\/uploads\/"?: EOF\s*$|^EOF\s*$/,
    providers: ['ecr'],
    alsoMeans: [
      { category: 'network', confidence: 0.5 },
      { category: 'permission_denied', confidence: 0.45 },
    ],
    title: 'ECR dropped the layer uploads: most often the repository does not exist',
    examples: [
      '4348ebd6ec2b: Retrying in 1 second',
      'Error: failed to do request: Post "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/foo/bar/blobs/uploads/": EOF',
    ],
  },
  {
    id: 'retrying-layers',
    category: 'network',
    confidence: 0.45,
    source: 'https://docs.docker.com/reference/cli/docker/image/push/',
    pattern: /^[0-9a-f]{12}: Retrying in \d+ seconds?/,
    providers: NOT_ECR,
    alsoMeans: [{ category: 'blob_upload', confidence: 0.4 }],
    title: 'Layer uploads kept failing and were retried',
    examples: ['93c72c92e15f: Retrying in 2 seconds'],
  },

  // ── tag_immutable ──────────────────────────────────────────────────────────────────────────────
  {
    id: 'redeploy-disabled',
    category: 'tag_immutable',
    confidence: 0.95,
    source: 'https://www.sonatype.com/blog/2009/11/nexus-tips-disable-redeployment-in-nexus',
    // Nexus with the 'Disable redeploy' policy refuses to replace an existing tag's manifest; it says so
    // in the detail of a BLOB_UPLOAD_INVALID, which is not the cause.
    pattern: /Repository does not allow updating assets/i,
    outranks: ['blob_upload'],
    alsoMeans: [{ category: 'blob_upload', confidence: 0.3 }],
    title: 'The repository does not allow replacing an existing tag (redeploy disabled)',
    examples: ['PUT https://nexus.example.com/v2/app/manifests/1.0: BLOB_UPLOAD_INVALID: blob upload invalid; Repository does not allow updating assets: docker-hosted'],
  },
  {
    id: 'tag-already-exists',
    category: 'tag_immutable',
    confidence: 0.9,
    source: 'https://github.com/quay/quay/blob/master/endpoints/v2/errors.py',
    pattern: /TAG_ALREADY_EXISTS|tag was already pushed/i,
    examples: ['{"errors":[{"code":"TAG_ALREADY_EXISTS","message":"tag was already pushed","detail":{}}]}'],
  },
  {
    id: 'ecr-tag-immutable',
    category: 'tag_immutable',
    confidence: 0.97,
    source: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html',
    // Since tag-mutability exclusion filters, immutability is per tag: "because the tag is immutable". A long
    // tag often wraps the message, so the closing clause alone is enough (no other registry words it so).
    pattern: /cannot be overwritten because the (?:repository|tag) is immutable|ImageTagAlreadyExistsException/i,
    provider: 'ecr',
    examples: [
      "ERROR: tag invalid: The image tag 'v1' already exists in the 'app' repository and cannot be overwritten because the repository is immutable.",
      "TAG_INVALID: The image tag 'release-1' already exists in the 'web' repository and cannot be overwritten because the tag is immutable.",
      'and cannot be overwritten because the tag is immutable.',
      'An error occurred (ImageTagAlreadyExistsException) when calling the PutImage operation',
    ],
  },
  {
    id: 'tag-immutable',
    category: 'tag_immutable',
    confidence: 0.96,
    source: 'https://goharbor.io/docs/main/working-with-projects/working-with-images/create-tag-immutability-rules/',
    pattern: /immutability settings|cannot be overwritten|is a? ?immutable tag|immutable tags? (?:are|is) enabled|tag is immutable|\bimmutable\b[^\n]{0,60}\btag\b|\btag\b[^\n]{0,60}\bimmutable\b/i,
    examples: [
      'unknown: The image tag v1 cannot be overwritten because of the immutability settings',
      'unknown: Failed to process request due to \'library/app:v1\' is a immutable tag',
    ],
  },

  {
    id: 'harbor-tag-exists',
    category: 'tag_immutable',
    confidence: 0.75,
    source: 'https://github.com/goharbor/harbor/blob/main/src/pkg/tag/dao/dao.go',
    // Harbor's tag store refuses a second tag of the same name in a repository as a conflict (409), with
    // the repository's numeric id; the tag has to be deleted (or moved by the registry API) first.
    pattern: /\btag \S+ already exists under the repository \d+/i,
    title: 'The tag already exists in this Harbor repository and was not moved',
    examples: ['{"errors":[{"code":"CONFLICT","message":"tag v1.4.0 already exists under the repository 27"}]}'],
  },

  // ── repo_locked ────────────────────────────────────────────────────────────────────────────────
  {
    id: 'registry-read-only',
    category: 'repo_locked',
    confidence: 0.9,
    source: 'https://github.com/quay/quay/blob/master/endpoints/v2/errors.py',
    pattern: /System is currently read-only|write operations (?:are|have been) (?:currently )?suspended|"is_readonly":\s*true|registry is (?:in )?(?:a )?read-only(?: maintenance)? mode/i,
    title: 'The registry is in read-only mode (maintenance): pulls work, pushes are refused',
    examples: ['denied: System is currently read-only. Pulls will succeed but all write operations are currently suspended.'],
  },
  {
    id: 'namespace-disabled',
    category: 'repo_locked',
    confidence: 0.85,
    source: 'https://github.com/quay/quay/blob/master/endpoints/v2/errors.py',
    pattern: /This namespace is disabled/i,
    title: 'The registry namespace (organisation or user) is disabled',
    examples: ['denied: This namespace is disabled. Please contact your system administrator.'],
  },
  {
    id: 'write-method-not-allowed',
    category: 'repo_locked',
    confidence: 0.62,
    source: 'https://github.com/distribution/distribution/blob/main/registry/handlers/blobupload.go',
    // distribution in read-only maintenance mode registers no POST/PUT/PATCH handlers, so writes get 405;
    // a pull-through cache refuses pushes the same way.
    pattern: /(?:POST|PUT|PATCH) (?:request to )?"?\S*\/v2\/\S*"?:? [^\n]*\b405\b|\b405 Method Not Allowed\b|unexpected 405 response status trying to (?:initiate upload|push)|"Method not allowed\b/i,
    alsoMeans: [{ category: 'other', confidence: 0.45 }],
    needsRegistryContext: true,
    title: 'The registry does not accept writes (read-only mode, or a pull-through cache)',
    examples: [
      'failed to push registry.example.com/acme/app:1: unexpected status from POST request to https://registry.example.com/v2/acme/app/blobs/uploads/: 405 Method Not Allowed',
      'Error pushing to registry: Server error: unexpected 405 response status trying to initiate upload',
    ],
  },
  {
    id: 'acr-operation-disallowed',
    category: 'repo_locked',
    confidence: 0.8,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-image-lock',
    pattern: /The operation is disallowed(?: on this registry, repository or image)?/i,
    provider: 'acr',
    alsoMeans: [{ category: 'quota_exceeded', confidence: 0.55 }],
    title: 'ACR refused the write: the repository or tag is locked (or the registry is full)',
    examples: [
      'unknown: The operation is disallowed.',
      'denied: The operation is disallowed on this registry, repository or image.',
    ],
  },
  {
    id: 'read-only',
    category: 'repo_locked',
    confidence: 0.75,
    source: 'https://github.com/goharbor/harbor/blob/main/src/lib/errors/const.go',
    pattern: /\bread[- ]?only mode|repository is read[- ]only|registry is (?:in )?read[- ]only|write(?:s)? (?:are )?disabled|write[- ]disabled|writeEnabled"?:\s*false/i,
    needsRegistryContext: true,
    examples: ['unknown: The system is in read only mode. Any modification is prohibited.'],
  },

  {
    id: 'hub-repository-locked',
    category: 'repo_locked',
    confidence: 0.85,
    source: 'https://github.com/docker/hub-feedback/issues/648',
    // Docker Hub locks a private repository the account's plan has no room for (created private by a push,
    // or left over after a downgrade): it can be neither pushed nor pulled until it is made public, the plan
    // is upgraded, or Docker support unlocks it (Docker Hub's answer in the thread cited).
    pattern: /The Repository is Locked/i,
    provider: 'dockerhub',
    alsoMeans: [{ category: 'quota_exceeded', confidence: 0.5 }],
    title: 'Docker Hub has locked this repository',
    examples: ['Error: Status 403 trying to push repository acme/billing: "The Repository is Locked, access denied"'],
  },

  // ── quota_exceeded ─────────────────────────────────────────────────────────────────────────────
  {
    id: 'hard-limit-quota',
    category: 'quota_exceeded',
    confidence: 0.9,
    source: 'https://goharbor.io/docs/main/administration/configure-project-quotas/',
    // Harbor's project quotas are hard limits: its refusals speak of quota and the hard limit.
    pattern: /not enough quota|overflow the hard limit|over the quota|hard limit is [\d.]+/i,
    examples: [
      'Not enough quota available to process the request, add 1.3MiB of storage resource overflow the hard limit, current usage is 235.9MiB and hard limit is 100.0MiB.',
      'Failed to add resources, error: over the quota: used 1209051826 but only hard 1073741824',
    ],
  },
  {
    id: 'quota-counted',
    category: 'quota_exceeded',
    confidence: 0.8,
    source: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html',
    // Quotas count things (images per repository, layers per image, tags, repositories), not only bytes.
    pattern: /\b(?:images|tags|layers|repositories|artifacts|manifests) per (?:repository|image|project|namespace|registry|account)\b|maximum (?:allowed )?(?:number|count) of (?:\w+ ){0,2}(?:images|tags|layers|repositories|artifacts|manifests)\b|too many (?:tags|layers|images|repositories)\b|\b(?:quota|limit) (?:is|of) \d[\d,]*\b|\bcount quota\b/i,
    needsRegistryContext: true,
    alsoMeans: [{ category: 'other', confidence: 0.3 }],
    examples: [
      'An error occurred (LimitExceededException) when calling the PutImage operation: This request would exceed the limit of images per repository',
      'denied: the maximum number of tags for this repository has been reached',
      'unknown: repository acme/app has too many layers in one image: the limit is 127',
      "already has the maximum allowed number of images which is '10000'",
    ],
  },
  {
    id: 'namespace-quota',
    category: 'quota_exceeded',
    confidence: 0.9,
    source: 'https://github.com/quay/quay/blob/master/endpoints/v2/errors.py',
    pattern: /Quota has been exceed(?:ed)? on namespace|larger than (?:[\d.]+ \w+ )?allowed by this registry/i,
    alsoMeans: [{ category: 'blob_upload', confidence: 0.4 }],
    title: 'The namespace quota (or the largest layer the registry accepts) was exceeded',
    examples: [
      'denied: Quota has been exceed on namespace',
      'Uploaded blob of 6.20 GiB is larger than 5.00 GiB allowed by this registry',
    ],
  },
  {
    id: 'manifest-put-403-self-hosted',
    category: 'quota_exceeded',
    confidence: 0.58,
    source: 'https://goharbor.io/docs/main/administration/configure-project-quotas/',
    // The layers went up, so the identity may push; a 403 only at the manifest commit is how Harbor and
    // other self-hosted registries refuse a push over the project quota.
    pattern: /PUT (?:request to )?"?\S+\/manifests\/[^\s"]+"?:? [^\n]*\b403\b|failed commit on ref "(?:manifest|index)-sha256:[^"]*":? unexpected status[^\n]*\b403\b/i,
    providers: ['other', 'ecr'],
    alsoMeans: [
      { category: 'permission_denied', confidence: 0.5 },
      { category: 'tag_immutable', confidence: 0.35 },
    ],
    title: 'The registry refused the manifest after the layers were accepted: a project quota (or rule) stopped the push',
    examples: ['failed to push registry.example.com/acme/app:1: unexpected status from PUT request to https://registry.example.com/v2/acme/app/manifests/1: 403 Forbidden'],
  },
  {
    id: 'quota-exceeded',
    category: 'quota_exceeded',
    confidence: 0.85,
    source: 'https://goharbor.io/docs/main/administration/configure-project-quotas/',
    pattern: /quota (?:has been |was )?exceeded|exceeded (?:the |its |your )?(?:\w+ )?quota|exceed(?:s|ed)? the (?:configured )?(?:upper )?(?:limit|quota)|storage (?:limit|quota)|size limit|LimitExceededException|exceeded a service limit|reached (?:your|the) (?:maximum|limit)|QuotaExceeded/i,
    examples: [
      'denied: adding 52.4 MiB of storage resource, which when updated to current usage of 9.9 GiB will exceed the configured upper limit of 10.0 GiB.',
      'An error occurred (LimitExceededException) when calling the PutImage operation: This request would exceed the image per repository quota',
      'denied: Registry storage quota exceeded',
    ],
  },

  {
    id: 'acr-sku-quota',
    category: 'quota_exceeded',
    confidence: 0.85,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-skus',
    // Each ACR service tier caps the registry's features (IP network rules, private endpoints, webhooks,
    // geo-replications…); Azure refuses one more past the cap with "exceeds allowed quota N for the SKU X".
    pattern: /exceeds allowed quota \d+ for the SKU/i,
    provider: 'acr',
    title: 'The registry\'s service tier allows no more of this feature',
    examples: ['ERROR: BadRequestError: The requested feature webhook exceeds allowed quota 2 for the SKU Basic.'],
  },

  // ── rate_limited ───────────────────────────────────────────────────────────────────────────────
  {
    id: 'too-many-requests',
    category: 'rate_limited',
    confidence: 0.93,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /TOOMANYREQUESTS|HAP429|ThrottlingException|Rate exceeded|Quota exceeded for quota metric|pull rate limit|Response code: 429|\b429 Too Many Requests\b/i,
    examples: [
      'toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit',
      'TOOMANYREQUESTS: Quota exceeded for quota metric \'Requests per project per region\'',
      "Access to registry 'myregistry.azurecr.io' was denied. Response code: 429.",
      'error pushing image: HAP429 too many requests',
      'request failed with status: 429 Too Many Requests',
    ],
  },

  {
    id: 'http-429',
    category: 'rate_limited',
    confidence: 0.85,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /too many requests|\b429\b|rate limit|RESOURCE_EXHAUSTED/i,
    needsRegistryContext: true,
    examples: ['failed to push registry.example.com/app:1: unexpected status: 429 Too Many Requests'],
  },

  {
    id: 'drf-throttled',
    category: 'rate_limited',
    confidence: 0.85,
    source: 'https://github.com/encode/django-rest-framework/blob/master/rest_framework/exceptions.py',
    // Registries built on Django REST framework (Pulp) answer a throttled request with its Throttled error,
    // rendered as a registry error ("unsupported: Request was throttled.").
    pattern: /Request was throttled/i,
    needsRegistryContext: true,
    examples: [
      'unsupported: Request was throttled.',
      'unsupported: Request was throttled. Expected available in 12 seconds.',
    ],
  },

  // ── firewall_denied ────────────────────────────────────────────────────────────────────────────
  {
    id: 'aws-vpc-endpoint-policy',
    category: 'firewall_denied',
    confidence: 0.98,
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html',
    // A network policy: the request came through a VPC endpoint whose policy refuses it. Ranked above the
    // IAM denial on the same line, because changing the identity's policy would not help.
    pattern: /explicit deny in a VPC endpoint policy|no VPC endpoint policy allows/i,
    alsoMeans: [{ category: 'permission_denied', confidence: 0.6 }],
    outranks: ['permission_denied'],
    title: 'A VPC endpoint policy refused the request (the network path, not the identity)',
    examples: [
      'denied: User: arn:aws:sts::123456789012:assumed-role/ci/build is not authorized to perform: ecr:PutImage on resource: arn:aws:ecr:us-west-2:123456789012:repository/team-a/alpine with an explicit deny in a VPC endpoint policy',
      'denied: User: arn:aws:sts::123456789012:assumed-role/ci/build is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-1:123456789012:repository/app because no VPC endpoint policy allows the ecr:InitiateLayerUpload action',
    ],
  },
  {
    id: 'geo-blocked',
    category: 'firewall_denied',
    confidence: 0.85,
    source: 'https://github.com/quay/quay/blob/master/endpoints/v2/errors.py',
    pattern: /geo-?ip blocked/i,
    examples: ['denied: The region from which you are pulling has been geo-ip blocked. Please contact the namespace owner.'],
  },
  {
    id: 'client-ip-not-allowed',
    category: 'firewall_denied',
    confidence: 0.97,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-troubleshoot-access',
    // The address is often masked or replaced when pasted (`'<my public IP>'`, `'***'`, `'x.x.x.x'`).
    pattern: /client with IP\s*(?:'[^'\n]{0,45}'|\S{0,45})\s*is not allowed access|IP allow list enabled|your IP address is not permitted|IP address[^\n]{0,40}not (?:allowed|permitted)|not in the allow ?list/i,
    title: 'The registry firewall does not allow the runner’s IP address',
    examples: [
      "denied: client with IP '40.112.1.7' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.",
      "denied: client with IP '<runner address>' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.",
      "denied: client with IP '***' is not allowed access.",
      'the `acme` organization has an IP allow list enabled, and your IP address is not permitted to access this resource.',
    ],
  },
  {
    id: 'html-403-page',
    category: 'firewall_denied',
    confidence: 0.6,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/handler.go',
    // A registry answers a refusal with its JSON error body (`{"errors":[…]}`); a 403 whose body is an HTML
    // page was written by something in front of it (a web application firewall, a CDN, a corporate proxy
    // or filter), which refused the request on its own rules.
    pattern: /\b403\b[^\n]{0,80}(?:<!DOCTYPE html|<html\b|invalid character '<')|<html\b[^\n]{0,200}\b403 Forbidden\b/i,
    alsoMeans: [{ category: 'permission_denied', confidence: 0.5 }],
    needsRegistryContext: true,
    title: 'A firewall or proxy in front of the registry refused the request (an HTML 403 page, not a registry answer)',
    examples: ['Error: writing blob: uploading layer chunked: StatusCode: 403, <!DOCTYPE html>'],
  },
  {
    id: 'acr-refresh-token-403',
    category: 'firewall_denied',
    confidence: 0.88,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-troubleshoot-access',
    pattern: /Access to registry '[^']*' was denied\. Response code: 403/i,
    provider: 'acr',
    examples: ["Access to registry 'myregistry.azurecr.io' was denied. Response code: 403."],
  },
  {
    id: 'acr-no-challenge',
    category: 'firewall_denied',
    confidence: 0.7,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-troubleshoot-access',
    pattern: /Registry '[^']*' did not issue a challenge/i,
    provider: 'acr',
    alsoMeans: [{ category: 'network', confidence: 0.5 }],
    title: 'The registry did not answer the login challenge: usually a firewall or private endpoint in the way',
    examples: ["Unable to get AAD authorization tokens with message: Registry 'acme.azurecr.io' did not issue a challenge."],
  },
  {
    id: 'public-access-disabled',
    category: 'firewall_denied',
    confidence: 0.9,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-troubleshoot-access',
    pattern: /public network access is disabled|public access is disabled|vpcServiceControlsUniqueIdentifier|Request is prohibited by organization's policy/i,
    examples: [
      'denied: Public network access is disabled for this registry.',
      "Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: abc123",
    ],
  },

  // ── network ────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'oci-code-unavailable',
    category: 'network',
    confidence: 0.7,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /"code":\s*"UNAVAILABLE"|(?:^|: )unavailable: (?!error reading from server)/,
    alsoMeans: [{ category: 'blob_upload', confidence: 0.35 }],
    title: 'The registry said it is unavailable (overloaded or in maintenance)',
    examples: ['{"errors":[{"code":"UNAVAILABLE","message":"service unavailable"}]}'],
  },
  {
    id: 'jib-unreachable',
    category: 'network',
    confidence: 0.84,
    source: 'https://github.com/GoogleContainerTools/jib/blob/master/jib-plugins-common/src/main/java/com/google/cloud/tools/jib/plugins/common/HelpfulSuggestions.java',
    pattern: /perhaps you should (?:make sure your Internet is up|make sure that the registry you configured exists|use a registry that supports HTTPS or set the configuration parameter)/i,
    title: 'Jib could not reach the registry (host, network or HTTPS)',
    examples: ['Build image failed, perhaps you should make sure that the registry you configured exists/is spelled properly'],
  },
  {
    id: 'timeout',
    category: 'network',
    confidence: 0.88,
    source: 'https://pkg.go.dev/net/http',
    pattern: /TLS handshake timeout|Client\.Timeout exceeded|timeout awaiting response headers|408 Request Timeout|request canceled while waiting for connection|i\/o timeout|context deadline exceeded|ETIMEDOUT|timed out/i,
    needsRegistryContext: true,
    title: 'The connection to the registry timed out',
    examples: [
      'Put https://quay.io/v2/acme/app/blobs/uploads/e845910e?digest=sha256%3Aa3ed: net/http: TLS handshake timeout',
      'Get "https://myregistry.azurecr.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
      'failed to push registry.example.com/app:1: context deadline exceeded',
    ],
  },
  {
    id: 'connection-failed',
    category: 'network',
    confidence: 0.85,
    source: 'https://pkg.go.dev/net/http',
    pattern: /connection refused|no such host|dial tcp: lookup \S+|connection reset by peer|broken pipe|network is unreachable|no route to host|Could not resolve host|ENOTFOUND|ECONNREFUSED|ECONNRESET|EAI_AGAIN|proxyconnect tcp|server misbehaving|temporary failure in name resolution|use of closed network connection|read\/write on closed pipe|http2: server sent GOAWAY|http2: Transport received Server's graceful shutdown GOAWAY|http2: client connection lost|transport connection broken|stream error: stream ID \d+|tls: bad record MAC|remote error: tls: /i,
    needsRegistryContext: true,
    examples: [
      'Get "https://registry.example.com/v2/": dial tcp: lookup registry.example.com on 127.0.0.53:53: no such host',
      'Get "https://registry.example.com/v2/": dial tcp 10.0.0.5:443: connect: connection refused',
      'write tcp 10.1.0.4:51234->52.1.2.3:443: write: connection reset by peer',
      'failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://registry.example.com/v2/app/blobs/sha256:abc": http2: server sent GOAWAY and closed the connection',
      'Head "https://registry.example.com/v2/acme/app/blobs/sha256:0ab1": http2: Transport received Server\'s graceful shutdown GOAWAY',
    ],
  },
  {
    id: 'python-connection-failed',
    category: 'network',
    confidence: 0.85,
    source: 'https://github.com/urllib3/urllib3/blob/main/src/urllib3/exceptions.py',
    // urllib3 (under requests: the az CLI, docker-py, the SAM CLI) gives up on a host it could not reach
    // with MaxRetryError, naming the cause: no TCP connection, a connect timeout, DNS, or the proxy.
    pattern: /Max retries exceeded with url: [^\n]*\(Caused by (?:NewConnectionError|ConnectTimeoutError|NameResolutionError|ProxyError)\b|Failed to establish a new connection/i,
    needsRegistryContext: true,
    title: 'The client could not open a connection to the registry',
    examples: [
      "HTTPSConnectionPool(host='registry.example.com', port=443): Max retries exceeded with url: /v2/ (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f3a2c>, 'Connection to registry.example.com timed out. (connect timeout=60)'))",
    ],
  },
  {
    id: 'tls-certificate',
    category: 'network',
    confidence: 0.88,
    source: 'https://pkg.go.dev/crypto/x509',
    pattern: /x509:|certificate (?:signed by unknown authority|has expired|is not valid|verify failed)|certificate is valid for|tls: (?:failed|bad|handshake)|SSL certificate problem/i,
    needsRegistryContext: true,
    title: 'TLS to the registry failed (certificate or protocol)',
    examples: [
      'Get "https://registry.internal:5000/v2/": x509: certificate signed by unknown authority',
    ],
  },
  {
    id: 'http-https-mismatch',
    category: 'network',
    confidence: 0.9,
    source: 'https://docs.docker.com/reference/cli/dockerd/#insecure-registries',
    pattern: /server gave HTTP response to HTTPS client|The plain HTTP request was sent to HTTPS port/i,
    title: 'HTTP and HTTPS are mixed up: the registry speaks plain HTTP (mark it insecure) or the client used HTTP on an HTTPS port',
    examples: [
      'Get "https://10.0.0.5:5000/v2/": http: server gave HTTP response to HTTPS client',
      'Get https://10.0.0.5:5000/v1/_ping: http: server gave HTTP response to HTTPS client',
      '<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>',
    ],
  },
  {
    id: 'registry-unavailable',
    category: 'network',
    confidence: 0.65,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    // (`unexpected 503 response status trying to initiate upload` is older Docker's wording.)
    pattern: /\b(?:502 Bad Gateway|503 Service Unavailable|504 Gateway Time-?out)\b|status(?: code)?:? 50[234]\b|received unexpected HTTP status: 50[234]|\bHTTP 50[234] response|unexpected 50[234] response status|\bService Unavailable\b|\bBad Gateway\b/i,
    alsoMeans: [{ category: 'blob_upload', confidence: 0.4 }],
    needsRegistryContext: true,
    title: 'The registry (or a proxy in front of it) answered with a server error',
    examples: [
      'received unexpected HTTP status: 503 Service Unavailable',
      'Error pushing to registry: Server error: unexpected 503 response status trying to initiate upload of app',
    ],
  },
  {
    id: 'registry-internal-error',
    category: 'network',
    confidence: 0.6,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    // A 500 is the registry failing on its side (distribution's UNKNOWN error, a registry bug or incident):
    // retried, it may pass; if not, nothing in the client will change it. containerd prints the status line
    // as the server sent it ("unexpected status from HEAD request to URL: 500 Server Error"), and the reason
    // phrase is the server's own (Jetty, behind Nexus, says "Server Error"; containerd core/remotes/errors/errors.go).
    pattern: /\b500 Internal Server Error\b|status(?: code)?:? 500\b|received unexpected HTTP status: 500|\bHTTP 500 response|unexpected 500 response status|unexpected status from \w+ request to \S+: 500\b/i,
    alsoMeans: [
      { category: 'other', confidence: 0.5 },
      { category: 'blob_upload', confidence: 0.4 },
    ],
    needsRegistryContext: true,
    title: 'The registry failed on its side (500 Internal Server Error)',
    examples: ['received unexpected HTTP status: 500 Internal Server Error'],
  },
  {
    id: 'eof',
    category: 'network',
    confidence: 0.5,
    source: 'https://pkg.go.dev/net/http',
    pattern: /(?:^|: )(?:unexpected )?EOF\s*$/,
    needsRegistryContext: true,
    alsoMeans: [{ category: 'blob_upload', confidence: 0.4 }],
    title: 'The registry closed the connection mid-request',
    examples: ['Patch "https://registry.example.com/v2/app/blobs/uploads/1": EOF'],
  },

  {
    id: 'acr-connectivity-tls',
    category: 'network',
    confidence: 0.85,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-health-error-reference',
    // The CLI could not complete TLS with the registry: almost always a proxy between the client and the
    // registry (one that intercepts TLS, or whose CA the CLI does not trust).
    pattern: /CONNECTIVITY_SSL_ERROR|Unable to establish a secure connection to the registry/,
    provider: 'acr',
    title: 'A proxy between the client and the registry broke the TLS connection',
    examples: [
      'An error occurred: CONNECTIVITY_SSL_ERROR',
      "Unable to establish a secure connection to the registry 'acme.azurecr.io'. Are you using a proxy server?",
    ],
  },
  {
    id: 'acr-connectivity-dns',
    category: 'network',
    confidence: 0.75,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-health-error-reference',
    // The login server's name did not resolve: a connection or DNS problem, or a registry that does not
    // exist (or is in another cloud than the CLI's).
    pattern: /CONNECTIVITY_DNS_ERROR/,
    provider: 'acr',
    alsoMeans: [{ category: 'repo_not_found', confidence: 0.45 }],
    examples: ['An error occurred: CONNECTIVITY_DNS_ERROR'],
  },
  {
    id: 'containerd-fetch-connection-failed',
    category: 'network',
    confidence: 0.85,
    source: 'https://github.com/containerd/containerd/blob/main/core/remotes/docker/httpreadseeker.go',
    // containerd opens every blob and manifest it fetches from a registry through its httpReadSeeker: a
    // connection failure reported there is one to the registry (or its CDN), whatever else the line says.
    pattern: /httpReadSeeker: failed open: [^\n]*(?:connection refused|connection reset by peer|no such host|i\/o timeout|network is unreachable|no route to host|TLS handshake timeout)/i,
    title: 'The connection to the registry (or its blob CDN) failed',
    examples: ['failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://cdn.example.net/blobs/sha256:e5a2": dial tcp 203.0.113.9:443: i/o timeout'],
  },
  {
    id: 'html-405-page',
    category: 'network',
    confidence: 0.55,
    source: 'https://distribution.github.io/distribution/recipes/nginx/',
    // A registry answers with its JSON error body; a 405 whose body is an HTML page came from the web server
    // or proxy in front of it, which would not pass the upload's method (POST, PATCH, PUT) through: its
    // location or method rules are wrong, and the registry never saw the request.
    pattern: /error parsing HTTP 405 response body: invalid character '<'|<title>405 Not Allowed<\/title>/i,
    needsRegistryContext: true,
    title: 'The web server or proxy in front of the registry refused the upload\'s method (an HTML 405 page)',
    examples: [
      'error parsing HTTP 405 response body: invalid character \'<\' looking for beginning of value: "<html>\\r\\n<head><title>405 Not Allowed</title></head>\\r\\n<body>\\r\\n<center><h1>405 Not Allowed</h1></center>\\r\\n<hr><center>nginx</center>\\r\\n</body>\\r\\n</html>\\r\\n"',
    ],
  },

  // ── blob_upload ────────────────────────────────────────────────────────────────────────────────
  {
    id: 'dockerd-upload-retry',
    category: 'blob_upload',
    confidence: 0.7,
    source: 'https://github.com/moby/moby/blob/master/distribution/xfer/upload.go',
    // The daemon's own log (journal) while a layer upload keeps failing: the push client sees only retries.
    pattern: /Upload failed, retrying: /i,
    alsoMeans: [{ category: 'network', confidence: 0.55 }],
    needsRegistryContext: true,
    title: 'Layer uploads were cut off and retried (the daemon log shows each failed attempt)',
    examples: [
      'level=error msg="Upload failed, retrying: EOF"',
      'dockerd[812]: time="2024-01-02T03:04:05Z" level=error msg="Upload failed, retrying: write tcp 10.0.0.2:51234->10.0.0.9:443: write: broken pipe"',
    ],
  },
  {
    id: 'harbor-replication-blob-push',
    category: 'blob_upload',
    confidence: 0.68,
    source: 'https://github.com/goharbor/harbor/blob/v1.5.0/src/jobservice/job/impl/replication/transfer.go',
    // Harbor replication's job log names the step that failed, not why: a blob push to the target.
    pattern: /an error occurred while pushing (?:the )?blob/i,
    alsoMeans: [{ category: 'network', confidence: 0.5 }],
    title: 'Replication failed while pushing a layer to the target registry',
    examples: [
      '[ERROR] [transfer.go:234]: an error occurred while pushing blob sha256:0123abcd of library/app:1.0 to the distination registry: EOF',
    ],
  },
  {
    id: 'upload-session-lost',
    category: 'blob_upload',
    confidence: 0.85,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    // BLOB_UPLOAD_UNKNOWN in a registry's own words: the upload session it handed out is gone.
    pattern: /\/_uploads\/[\w-]+ does not exist|upload (?:session )?(?:id )?[\w-]* ?(?:not found|expired|does not exist)/i,
    needsRegistryContext: true,
    examples: ['unknown: Item docker-local:acme/app/_uploads/4dbcbcde-641a-4ad7-8eb9-e62f3358540e does not exist'],
  },
  {
    id: 'upload-resumed-at-wrong-offset',
    category: 'blob_upload',
    confidence: 0.85,
    source: 'https://github.com/distribution/distribution/blob/main/registry/handlers/blobupload.go',
    // The registry's record of an upload session does not match what its storage holds (a storage driver
    // that lost chunks of a large layer); it answers BLOB_UPLOAD_INVALID. The spelling is the source's.
    pattern: /upload resumed at wrong off(?:set|est)\b/i,
    title: 'The registry lost track of a layer upload (its stored size and the session offset differ)',
    examples: ['time="2024-03-01T10:00:00Z" level=error msg="upload resumed at wrong offest: 5242880 != 10485760" http.request.method=PATCH'],
  },
  {
    id: 'blob-upload-unknown',
    category: 'blob_upload',
    confidence: 0.92,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /BLOB_UPLOAD_UNKNOWN|BLOB_UPLOAD_INVALID|blob upload (?:unknown|invalid)|UploadNotFoundException|InvalidLayerPartException|LayerPartTooSmallException|EmptyUploadException|LayerInaccessibleException/i,
    examples: [
      'blob upload unknown',
      "Azure.RequestFailedException: 'blob upload unknown to registry",
      'ErrorCode: BLOB_UPLOAD_UNKNOWN',
    ],
  },
  {
    id: 'blob-unknown',
    category: 'blob_upload',
    confidence: 0.85,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /BLOB_UNKNOWN|blob unknown to registry|MANIFEST_BLOB_UNKNOWN|manifest blob unknown|unknown blob/i,
    alsoMeans: [{ category: 'manifest_invalid', confidence: 0.5 }],
    title: 'The manifest names a layer the registry never received',
    examples: [
      'Error: PUT "https://registry-1.docker.io/v2/acme/app/manifests/1.0.0": unexpected status code 400: manifest blob unknown: blob unknown to registry',
    ],
  },
  {
    id: 'digest-or-size-invalid',
    category: 'blob_upload',
    confidence: 0.85,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /DIGEST_INVALID|SIZE_INVALID|RANGE_INVALID|digest invalid|size invalid|range invalid|provided digest did not match uploaded content|provided length did not match content length|InvalidLayerException|digest mismatch/i,
    examples: [
      'digest invalid: provided digest did not match uploaded content',
      'size invalid: provided length did not match content length',
      '{"errors":[{"code":"RANGE_INVALID","message":"invalid content range"}]}',
    ],
  },
  {
    id: 'failed-to-upload-blob',
    category: 'blob_upload',
    confidence: 0.8,
    source: 'https://github.com/containers/image/blob/main/docker/docker_client.go',
    // An upload the registry refused on the same line (401/403, denied, unauthorized) is that refusal, not
    // a failed transfer: the refusal's own rules speak for it. So is a layer upload that could not start:
    // containers/image says "initiating layer upload" only when the registry answered the opening POST with
    // something other than 202 Accepted (a refusal, a missing repository, a read-only registry), before any
    // byte of the layer was sent (docker/docker_image_dest.go).
    pattern: /(?:Failed to upload (?:blob|layer)|error uploading (?:blob|layer)|Error writing blob|failed to upload layer|layer upload failed|error pushing blob)(?![^\n]*(?:\b40[13]\b|unauthori[sz]ed|\bdenied\b|forbidden|initiating layer upload))/i,
    alsoMeans: [{ category: 'network', confidence: 0.4 }],
    examples: [
      "error CONTAINER1013: Failed to push to the output registry: CONTAINER1001: Failed to upload blob using PUT https://public.ecr.aws/v2/r4z9b1c4/sdk-containers-test/blobs/uploads/38a4?&digest=sha256%3A9d21; received status code 'BadRequest'.",
    ],
  },
  {
    id: 'failed-commit-layer',
    category: 'blob_upload',
    confidence: 0.7,
    source: 'https://github.com/containerd/containerd/blob/main/core/remotes/docker/pusher.go',
    pattern: /failed commit on ref "(?:layer|config)-sha256:/i,
    alsoMeans: [{ category: 'network', confidence: 0.4 }],
    examples: ['error: failed commit on ref "layer-sha256:5f70bf18a086": unexpected status: 400 Bad Request'],
  },
  {
    id: 'request-entity-too-large',
    category: 'blob_upload',
    confidence: 0.82,
    source: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size',
    pattern: /413 Request Entity Too Large|Request Entity Too Large|status(?: code)?:? 413\b|\bHTTP 413 response|\b413 trying to push|payload too large/i,
    alsoMeans: [{ category: 'quota_exceeded', confidence: 0.35 }],
    title: 'A proxy in front of the registry refused the layer as too large',
    examples: [
      '<head><title>413 Request Entity Too Large</title></head>',
      'error parsing HTTP 413 response body: invalid character \'<\' looking for beginning of value',
    ],
  },

  // ── manifest_invalid ───────────────────────────────────────────────────────────────────────────
  {
    id: 'jib-manifest-format-refused',
    category: 'manifest_invalid',
    confidence: 0.88,
    source: 'https://github.com/GoogleContainerTools/jib/blob/master/jib-core/src/main/java/com/google/cloud/tools/jib/registry/ManifestPusher.java',
    // Jib's reading of a MANIFEST_INVALID or TAG_INVALID answer to its manifest PUT.
    pattern: /Registry may not support pushing OCI Manifest or Docker Image Manifest Version 2, Schema 2/i,
    title: 'The registry refused the manifest format (OCI or Docker v2 schema 2)',
    examples: ['Tried to push image manifest for registry.example.com/app:1 but failed because: Registry may not support pushing OCI Manifest or Docker Image Manifest Version 2, Schema 2'],
  },
  {
    id: 'manifest-list-names-missing-images',
    category: 'manifest_invalid',
    confidence: 0.9,
    source: 'https://github.com/docker/cli/blob/master/cli/registry/client/client.go',
    // `docker manifest push` and `buildah manifest push` upload a list whose entries must already be in
    // the repository: a blob the registry does not know then means the list names images never pushed there.
    pattern: /failed to put manifest \S+: errors:|Uploading manifest list failed/i,
    onlyWith: ['blob_upload'],
    outranks: ['blob_upload'],
    title: 'The manifest list names images that are not in this repository (push each platform image there first)',
    examples: ['failed to put manifest docker.io/acme/app:1: errors:\nmanifest blob unknown: blob unknown to registry'],
  },
  {
    id: 'schema1-manifest-refused',
    category: 'manifest_invalid',
    confidence: 0.9,
    source: 'https://docs.docker.com/engine/deprecated/#pushing-and-pulling-with-image-manifest-v2-schema-1',
    pattern: /manifest v2,? schema 1[^\n]{0,60}(?:blocked|not supported|deprecated|unsupported)|schema ?1 manifests? (?:are |is )?(?:not supported|blocked|deprecated)/i,
    title: 'The registry refuses Docker Image Manifest V2, Schema 1 (push a schema 2 or OCI image)',
    examples: ['UNAUTHORIZED: Pushing Docker images with manifest v2 schema 1 to this repository is blocked'],
  },
  {
    id: 'artifactory-overwrite-refused',
    category: 'tag_immutable',
    confidence: 0.85,
    source: 'https://jfrog.com/help/r/jfrog-platform-administration-documentation/permission-details',
    // Artifactory answers a manifest PUT that would overwrite an existing tag, by a user without the
    // Delete/Overwrite permission, with MANIFEST_INVALID carrying its own 403 as the description.
    pattern: /MANIFEST_INVALID[^\n]*description:\s*HTTP 403\b/i,
    alsoMeans: [{ category: 'permission_denied', confidence: 0.6 }],
    outranks: ['manifest_invalid'],
    title: 'Artifactory refused to overwrite an existing tag (no Delete/Overwrite permission on the repository)',
    examples: ['error pushing image: failed to push to destination artifactory.example.com:5001/app:1.1.0: MANIFEST_INVALID: manifest invalid; map[description:HTTP 403 Forbidden]'],
  },
  {
    id: 'harbor-manifest-list-unsupported',
    category: 'manifest_invalid',
    confidence: 0.95,
    source: 'https://github.com/goharbor/harbor/blob/release-1.10.0/src/core/middlewares/multiplmanifest/handler.go',
    // Harbor before 2.0 refuses manifest lists outright; the client then tries the OCI index, which fails
    // differently (often a 500), so this names the cause whatever else the same line says.
    pattern: /Manifest\.list is not supported/i,
    outranks: ['network', 'blob_upload', 'other'],
    title: 'This Harbor (before 2.0) does not accept multi-platform images (manifest lists)',
    examples: ['{"errors":[{"code":"UNSUPPORTED_MEDIA_TYPE","message":"Manifest.list is not supported."}]}'],
  },
  {
    id: 'manifest-invalid',
    category: 'manifest_invalid',
    confidence: 0.92,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    // A manifest commit refused by BuildKit counts unless the status says why: a 401/403 is a refusal, a 5xx
    // the registry failing (a registry answers an invalid manifest with 400 MANIFEST_INVALID).
    pattern: /MANIFEST_INVALID|manifest invalid|Invalid parameter at 'ImageManifest'|InvalidParameterException[^\n]*[Mm]anifest|unsupported manifest|media type[^\n]{0,80}(?:not supported|unsupported)|failed commit on ref "(?:manifest|index)-sha256:[^"]*":? (?!unexpected status(?: from \w+ request to \S+)?: (?:40[13]|5\d\d))|UnsupportedImageTypeException|unsupported media type|ImageDigestDoesNotMatchException|does not support OCI ind(?:ex|ices)|TAG_INVALID|manifest tag did not match|MANIFEST_UNVERIFIED|manifest unverified|manifest failed signature verification/i,
    examples: [
      "Error writing manifest: Error uploading manifest latest to 123456789012.dkr.ecr.us-east-1.amazonaws.com/helloworld: unsupported: Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
      'manifest invalid: manifest invalid',
      'manifest unverified: manifest failed signature verification',
    ],
  },
  {
    id: 'manifest-by-digest-missing',
    category: 'manifest_invalid',
    confidence: 0.62,
    source: 'https://github.com/containerd/containerd/blob/main/core/remotes/docker/httpreadseeker.go',
    // A manifest read by digest that the repository does not have: while a manifest list is assembled
    // (`buildx imagetools create`, merging per-platform pushes), it names images that were not pushed, or
    // that were pushed as indexes (provenance attestations) rather than as the manifests it expected.
    pattern: /content at \S+\/manifests\/sha256:[0-9a-f]{12,} not found/i,
    alsoMeans: [{ category: 'other', confidence: 0.5 }],
    title: 'A manifest named by digest is not in the repository (a manifest list names images not pushed as expected)',
    examples: ['#42 ERROR: httpReadSeeker: failed open: content at https://ghcr.io/v2/acme/app/manifests/sha256:2105248bf12ff52de4cfc92124f85db53b788d675d546e1fefcfe13599350a79 not found: not found'],
  },
  {
    id: 'manifest-unknown',
    category: 'manifest_invalid',
    confidence: 0.78,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /MANIFEST_UNKNOWN|manifest unknown/i,
    alsoMeans: [{ category: 'image_not_found_locally', confidence: 0.35 }],
    title: 'The registry cannot find the manifest it was asked for',
    examples: [
      'unknown: http status code: 404, body: {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Name":"software/hello-world"}}]}',
    ],
  },
  {
    id: 'unsupported-operation',
    category: 'manifest_invalid',
    confidence: 0.5,
    source: 'https://github.com/distribution/distribution/blob/main/registry/api/errcode/register.go',
    pattern: /\bUNSUPPORTED\b|unsupported: The operation is unsupported/,
    alsoMeans: [{ category: 'other', confidence: 0.35 }],
    title: 'The registry does not support what was pushed (often an OCI index or artifact media type)',
    examples: ['unsupported: The operation is unsupported.', '{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}'],
  },
  {
    id: 'manifest-put-rejected',
    category: 'manifest_invalid',
    confidence: 0.6,
    source: 'https://github.com/containerd/containerd/blob/main/core/remotes/docker/pusher.go',
    // A 400 answered to a write: a manifest PUT, containerd's commit of a pushed object (`failed commit on
    // ref`), a manifest pushed by name. The registry read what was sent and refused it.
    pattern: /PUT (?:request to )?"?\S+\/manifests\/\S+?"?:? (?:unexpected status(?: code)?:? )?400\b|PUT request to \S+\/v2\/\S+: 400\b|failed commit on ref "[^"]+":? unexpected status:? 400\b|\bmanifest: unexpected status:? 400\b/i,
    alsoMeans: [{ category: 'blob_upload', confidence: 0.4 }],
    examples: [
      'failed to push registry.example.com/app:1: unexpected status from PUT request to https://registry.example.com/v2/app/manifests/1: 400 Bad Request',
      'Error: failed commit on ref "unknown-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855": unexpected status: 400 Bad Request',
      'pushing to "registry.example.com/app:1": error while pushing bundle config manifest: unexpected status: 400 Bad Request',
    ],
  },
  {
    id: 'ecr-write-400-immutable',
    category: 'tag_immutable',
    confidence: 0.55,
    source: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html',
    // ECR answers the overwrite of a tag in an immutable repository with a 400 (TAG_INVALID); a client
    // that prints only the status shows a bare 400 on the manifest PUT.
    pattern: /PUT (?:request to )?"?\S+\/v2\/\S+"?:? (?:unexpected status(?: code)?:? )?400\b/i,
    providers: ['ecr'],
    examples: ['unexpected status from PUT request to https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/1.0: 400 Bad Request'],
  },
  {
    id: 'manifest-write-failed',
    category: 'manifest_invalid',
    confidence: 0.55,
    source: 'https://github.com/containers/image/blob/main/docker/docker_client.go',
    pattern: /Error (?:writing|uploading) manifest|failed to (?:put|push) manifest|error pushing manifest/i,
    examples: ['Error writing manifest: Error uploading manifest latest to registry.example.com/app'],
  },

  // ── image_not_found_locally ────────────────────────────────────────────────────────────────────
  {
    id: 'image-does-not-exist-locally',
    category: 'image_not_found_locally',
    confidence: 0.97,
    source: 'https://docs.docker.com/reference/cli/docker/image/push/',
    pattern: /An image does not exist locally with the tag:?\s*(?<image>\S+)?|\btag does not exist\b:?\s*(?<image2>\S+)?|tag is needed when pushing to registry|^Repository does not exist: |No such image:\s*(?<image3>\S+)|reference does not exist|:\s*image not known|image not found in local storage|failed to find image/i,
    examples: [
      'An image does not exist locally with the tag: acme/awx/custom-ee',
      'tag does not exist: acr303.azurecr-test.io/hello-world:yd2',
      'Error response from daemon: No such image: app:latest',
      'Error: app:latest: image not known',
      'ERROR: failed to build: tag is needed when pushing to registry',
    ],
  },

  // ── other ──────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'default-registry-push-confirmation',
    category: 'other',
    confidence: 0.8,
    source: 'https://github.com/miminar/docker/commit/e73a5960e8acd25a795c13d04a97fee4b7d41685',
    // Red Hat's build of the Docker daemon (--confirm-def-push, on by default) asks for a confirmation
    // before a push to the public Docker registry; a client that cannot answer (an API client, a build
    // plugin) gets a 403 saying the push "needs to be forced". Nothing was refused by Docker Hub.
    pattern: /to official registry: needs to be forced/i,
    provider: 'dockerhub',
    outranks: ['permission_denied', 'auth_missing', 'firewall_denied'],
    title: 'The Docker daemon wants a confirmation before pushing to Docker Hub',
    examples: ['Error: Status 403 trying to push repository acme/worker to official registry: needs to be forced'],
  },
  {
    id: 'cloud-build-log-streaming',
    category: 'other',
    confidence: 0.8,
    source: 'https://cloud.google.com/build/docs/securing-builds/store-manage-build-logs',
    // The build was submitted and runs in Cloud Build; gcloud only could not stream its logs from the
    // default logs bucket (outside any VPC Service Controls perimeter, or not readable by the caller). Not a
    // registry failure: use a logs bucket the caller may read, or submit with --async.
    pattern: /logs are being written to the default logs bucket|can(?:not| only) stream (?:the )?logs/i,
    provider: 'gcr',
    title: 'Cloud Build is running the build; gcloud could not stream its logs',
    examples: [
      'The build is running, and logs are being written to the default logs bucket.',
      'This tool can only stream logs if you are Viewer/Owner of the project and, if applicable, allowed by your VPC-SC security policy.',
    ],
  },
  {
    id: 'local-storage-layer-missing',
    category: 'other',
    confidence: 0.85,
    source: 'https://github.com/containers/storage/blob/main/drivers/overlay/overlay.go',
    // podman, buildah and skopeo read each layer from containers/storage (`…/overlay/<layer id>/diff` or
    // `/merged`) to upload it; a file missing there is local storage out of step with its records, not a
    // registry answer. Removing the image and building it again repairs it.
    pattern: /\/overlay\/[0-9a-f]{64}\/(?:diff|merged)\/[^\n]*: no such file or directory/i,
    outranks: ['blob_upload', 'network'],
    title: 'A layer\'s files are missing from local container storage (not a registry failure)',
    examples: [
      'Error: copying image to the remote destination: writing blob: open /var/lib/containers/storage/overlay/8f7a8c4e2b1d9f6a3c5e7b9d1f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a/diff/usr/lib/os-release: no such file or directory',
    ],
  },
  {
    id: 'containers-auth-file-unwritable',
    category: 'other',
    confidence: 0.88,
    source: 'https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md',
    // podman, buildah and skopeo keep logins in ${XDG_RUNTIME_DIR}/containers/auth.json, or
    // /run/containers/$UID/auth.json when XDG_RUNTIME_DIR is unset: a non-root user cannot create that.
    pattern: /(?:mkdir|open) (?:\/run\/containers|\/run\/user\/\d+\/containers|\S*\/auth\.json)\S*: permission denied/i,
    outranks: ['permission_denied'],
    title: 'The login could not write its auth file (set XDG_RUNTIME_DIR or pass --authfile to a writable path)',
    examples: [
      'Error: mkdir /run/containers/1001: permission denied',
      'Error: open /run/user/1000/containers/auth.json: permission denied',
    ],
  },
  {
    id: 'aws-sdk-region-missing',
    category: 'other',
    confidence: 0.8,
    source: 'https://github.com/smithy-lang/smithy-typescript/blob/main/packages/config-resolver/src/regionConfig/resolveRegionConfig.ts',
    // The AWS SDK for JavaScript found no region: an ECR login step could not tell it (for instance from a
    // registry host it does not parse), which no credential change fixes.
    pattern: /\bRegion is missing\b/,
    needsRegistryContext: true,
    title: 'The ECR login step found no AWS region (set it, or the step does not recognise this registry host)',
    examples: ['Error: Region is missing'],
  },
  {
    id: 'ecr-image-already-exists',
    category: 'other',
    confidence: 0.85,
    source: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html',
    // PutImage with a tag that already points at the same digest: nothing is wrong with the image.
    pattern: /ImageAlreadyExistsException/,
    provider: 'ecr',
    title: 'The tag already points at this very image (ECR refuses the identical PutImage); nothing to push',
    examples: ["An error occurred (ImageAlreadyExistsException) when calling the PutImage operation: Image with digest 'sha256:abc' and tag 'canary' already exists in the repository with name 'app' in registry with id '123456789012'"],
  },
  {
    id: 'registry-health-check-failed',
    category: 'other',
    confidence: 0.85,
    source: 'https://github.com/distribution/distribution/blob/main/health/health.go',
    // distribution answers 503 UNAVAILABLE when its own health checks (storage) fail: the registry, not the network.
    pattern: /health check failed: please see \/debug\/health/i,
    outranks: ['network'],
    alsoMeans: [{ category: 'network', confidence: 0.4 }],
    title: "The registry's own health check failed (its storage backend): fix the registry",
    examples: ['{"errors":[{"code":"UNAVAILABLE","message":"service unavailable","detail":"health check failed: please see /debug/health"}]}'],
  },
  {
    id: 'transport-read-as-docker-hub-image',
    category: 'other',
    confidence: 0.88,
    source: 'https://github.com/containers/image/blob/main/docs/containers-transports.5.md',
    // containers/image names local destinations by transport (`docker-daemon:`, `oci:`, `dir:`…); written
    // without the form the transport needs (`docker-daemon:name` with no tag), the destination was read as
    // an image on Docker Hub, whose refusal follows. Not a registry failure: the destination is misspelt.
    pattern: /docker\.io\/library\/(?:docker-daemon|docker-archive|oci|oci-archive|dir|containers-storage|ostree|sif)(?=[:@\s"'\]]|$)/i,
    outranks: ['permission_denied', 'auth_missing', 'auth_expired', 'repo_not_found'],
    title: 'A local transport (docker-daemon:, oci:, dir:…) was read as a Docker Hub image: write the destination in the transport\'s form',
    examples: [
      'Error checking whether a blob sha256:43e653f84b79ba52711b0f726ff5a7fd1162ae9df4be76ca1de8370b8bbf9bb0 exists in docker.io/library/docker-daemon: errors:',
    ],
  },
  {
    id: 'local-image-archive-unreadable',
    category: 'other',
    confidence: 0.85,
    source: 'https://github.com/google/go-containerregistry/blob/main/pkg/v1/tarball/image.go',
    // The image file given to push is not in the format the tool reads (an OCI layout where a `docker save`
    // tarball was expected, or the reverse): nothing reached the registry.
    pattern: /loading \S+ as tarball|file manifest\.json not found in tar/i,
    title: 'The image file to push is not in the format the tool reads (docker save tarball vs OCI layout)',
    examples: ['Error: loading image.tar as tarball: file manifest.json not found in tar'],
  },
  {
    id: 'success-status-read-as-error',
    category: 'other',
    confidence: 0.8,
    source: 'https://github.com/containers/image/blob/main/docker/docker_image_dest.go',
    // A client that expected one success status (201 Created for a manifest PUT) and got another (200 OK)
    // reports an error although the registry accepted the write: a client/registry mismatch, fixed by
    // upgrading the client.
    pattern: /\bstatus:? 20[0-6]\b(?<=\b(?:[Ee]rror|failed)\b[^\n]*status:? 20[0-6])|unexpected status(?: code)?:? 20[0-6]\b/,
    outranks: ['manifest_invalid', 'blob_upload'],
    title: 'The registry accepted the write, but the client took its success status for an error (upgrade the client)',
    examples: ['time="2019-08-28T12:33:30Z" level=debug msg="Error uploading manifest, status 200, &http.Response{Status:\\"200 OK\\", StatusCode:200}"'],
  },
  {
    id: 'registry-internal-service-failed',
    category: 'other',
    confidence: 0.8,
    source: 'https://github.com/twitchtv/twirp/blob/main/errors.go',
    // The registry's own authorization service could not be reached (twirp's "Error from intermediary",
    // "unable to connect to … server"): a denial by the registry's internals, not by its policy. Re-run.
    pattern: /Error from intermediary with HTTP status code|unable to connect to \w+ server|\btwirp error\b/i,
    outranks: ['permission_denied', 'auth_missing', 'repo_not_found'],
    title: "The registry's internal authorization service failed: a registry-side fault, not your permissions",
    examples: [
      'DENIED: permission_denied: unable to connect to authzd server: twirp error bad_route: Error from intermediary with HTTP status code 404 "Not Found"',
    ],
  },
  {
    id: 'tag-step-failed',
    category: 'image_not_found_locally',
    confidence: 0.7,
    source: 'https://docs.docker.com/reference/cli/docker/image/tag/',
    // `docker tag SOURCE TARGET` failed (no such source image, or a target Docker refuses): the reference
    // the push names was never created locally.
    pattern: /(?:Error while executing command|error executing|command failed)[^\n]*:\s*docker (?:image )?tag\b/i,
    alsoMeans: [{ category: 'other', confidence: 0.5 }],
    title: 'The `docker tag` step failed, so the image the push names was never created locally',
    examples: [
      'BUILD | Failed | COMMAND_EXECUTION_ERROR: Error while executing command: docker tag app:latest $AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/app:latest. Reason: exit status 1',
    ],
  },
  {
    id: 'cache-export-failed',
    category: 'other',
    confidence: 0.9,
    source: 'https://docs.docker.com/build/cache/backends/',
    // BuildKit names the failed step in its summary (`> exporting cache to registry:`); a failed cache
    // export is not a failed image push, and `ignore-error=true` on `--cache-to` lets the build pass.
    pattern: /^>\s*(?:exporting (?:content )?cache\b|exporting to GitHub Actions Cache\b|preparing build cache for export\b)|failed to export (?:build )?cache|error (?:writing|exporting) (?:build )?cache\b|Cache service responded with/i,
    title: 'The build-cache export failed, not the image push (`--cache-to … ignore-error=true`, or fix the cache target)',
    examples: [
      '> exporting cache to registry:',
      '> exporting content cache:',
      '> exporting to GitHub Actions Cache:',
      'ERROR: failed to solve: failed to export cache: failed to upload cache: Cache service responded with 429',
    ],
  },
  {
    id: 'build-step-failed',
    category: 'other',
    confidence: 0.72,
    source: 'https://github.com/moby/buildkit/blob/master/solver/llbsolver/ops/exec.go',
    // A Dockerfile step or the build itself failed: nothing was pushed, whatever the step printed.
    pattern: /process "[^"]*" did not complete successfully: exit code|returned a non-zero code: \d+|executor failed running \[|failed to compute cache key|failed to calculate checksum of ref|\bCOPY failed:|dockerfile parse error|failed to read dockerfile|error building image: error building stage|error building stage: failed to execute command/i,
    // Only in a job that pushes: a failed build on its own is not a registry failure.
    needsRegistryContext: true,
    title: 'The image build failed before any push (a Dockerfile step or the build context)',
    examples: [
      'ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1',
      "The command '/bin/sh -c make' returned a non-zero code: 2",
      'error building image: error building stage: failed to execute command: waiting for process to exit: exit status 1',
    ],
  },
  {
    id: 'acr-task-step-failed',
    category: 'other',
    confidence: 0.72,
    source: 'https://learn.microsoft.com/azure/container-registry/container-registry-tasks-reference-yaml',
    // ACR Tasks reports a `cmd` step whose container exited with an error (or could not start, its image
    // not found or not pullable): the task's own command failed, which is not a push.
    pattern: /Container failed during run: [\w.-]+\. No retries remaining/i,
    provider: 'acr',
    title: "An ACR Tasks step's own container failed (its command, or the image it runs), not a push",
    examples: ['2020/10/30 03:57:40 Container failed during run: validate-base-image. No retries remaining.'],
  },
  {
    id: 'acr-task-login-failed',
    category: 'permission_denied',
    confidence: 0.5,
    source: 'https://learn.microsoft.com/azure/container-registry/container-registry-tasks-cross-registry-authentication',
    // ACR Tasks logs in to a registry with the task's identity (or credentials it reads from Key Vault);
    // an identity without a role on that registry gets no token, and the login fails. The reason, when
    // printed after it on the line, has its own rule.
    pattern: /failed to login, ran out of retries: failed to set docker credentials/i,
    alsoMeans: [{ category: 'auth_missing', confidence: 0.45 }],
    provider: 'acr',
    title: "The ACR task could not log in to the registry: its identity may lack a role there (AcrPull/AcrPush)",
    examples: ['failed to login, ran out of retries: failed to set docker credentials: Error: Cannot perform an interactive login from a non TTY device'],
  },
  {
    id: 'acr-tasks-not-allowed',
    category: 'other',
    confidence: 0.85,
    source: 'https://learn.microsoft.com/en-us/azure/container-registry/container-registry-tasks-overview',
    pattern: /TasksOperationsNotAllowed|ACR Tasks requests for the registry [^\n]* are not permitted/i,
    provider: 'acr',
    title: 'ACR Tasks are not allowed for this registry or subscription',
    examples: [
      '(TasksOperationsNotAllowed) ACR Tasks requests for the registry acme and 855bbbaa-a548-4102-8a50-01b33ced20af are not permitted. Please file an Azure support request at http://aka.ms/azuresupport for assistance.',
    ],
  },
  {
    id: 'credential-store-failed',
    category: 'other',
    confidence: 0.75,
    source: 'https://github.com/docker/docker-credential-helpers/blob/master/client/client.go',
    pattern: /Error saving credentials|error storing credentials|this operation is unsupported for GCR/i,
    title: 'Docker could not save the login in its credential store',
    examples: [
      "Error saving credentials: error storing credentials - err: exit status 1, out: `docker-credential-gcr/helper: this operation is unsupported for GCR, please see docker-credential-gcr documentation for supported login methods.`",
    ],
  },
  {
    id: 'docker-daemon-not-running',
    category: 'other',
    confidence: 0.8,
    source: 'https://docs.docker.com/engine/daemon/troubleshoot/',
    pattern: /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect:[^\n]*docker|DOCKER_(?:COMMAND|DAEMON)_ERROR|requires running the docker daemon|failed to connect to the docker API at/i,
    title: 'Docker is not running on the build machine',
    examples: [
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      'An error occurred: DOCKER_COMMAND_ERROR',
      'failed to connect to the docker API at unix:///var/run/docker.sock; check if the path is correct and if the daemon is running',
    ],
  },
  {
    id: 'invalid-reference-format',
    category: 'other',
    confidence: 0.8,
    source: 'https://github.com/distribution/reference/blob/main/reference.go',
    pattern: /invalid reference format|is not a valid repository\/tag|repository name must be lowercase|(?:tag|repository) can only contain the (?:runes|characters)|could not parse reference|scheme prefix missing from remote/i,
    title: 'The image reference is not valid (upper-case letters, a stray space or an empty variable?)',
    examples: [
      'invalid argument "Acme/App:1" for "-t, --tag" flag: invalid reference format: repository name must be lowercase',
      'getting tag for destination: tag can only contain the runes `abcdefghijklmnopqrstuvwxyz0123456789_-.ABCDEFGHIJKLMNOPQRSTUVWXYZ`: 0.0.1-562e93a0',
    ],
  },
  {
    id: 'tag-with-plus-refused',
    category: 'other',
    confidence: 0.7,
    source: 'https://github.com/distribution/reference/blob/main/regexp.go',
    // A tag is [\w][\w.-]{0,127}: a semver build suffix (`1.4.0+build.7`) is not a valid tag, and the
    // registry answers the manifest request with a bare 400 (a HEAD has no body to say why).
    pattern: /\/manifests\/\w[\w.-]*\+[\w.+-]*\b[^\n]*\b400\b/i,
    alsoMeans: [{ category: 'manifest_invalid', confidence: 0.4 }],
    title: "The tag contains a '+' (semver build metadata), which a tag may not contain",
    examples: ['Error: PUT https://registry.example.com/v2/acme/app/manifests/1.4.0+build.7: unexpected status code 400 Bad Request'],
  },
  {
    id: 'api-disabled',
    category: 'other',
    confidence: 0.8,
    source: 'https://cloud.google.com/service-usage/docs/enable-disable',
    pattern: /API has not been used in project|SERVICE_DISABLED|it is disabled\. Enable it by visiting|is not enabled for consumer|billing account for the owning project is disabled|billing (?:is )?(?:not enabled|disabled)/i,
    needsRegistryContext: true,
    title: 'The cloud API the registry needs is not enabled in this project',
    examples: [
      'denied: Artifact Registry API has not been used in project 123456 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/artifactregistry.googleapis.com/overview?project=123456 then retry.',
    ],
  },
  {
    id: 'short-name-unresolved',
    category: 'other',
    confidence: 0.7,
    source: 'https://github.com/containers/image/blob/main/docs/containers-registries.conf.5.md',
    pattern: /did not resolve to an alias and no unqualified-search registries are defined/i,
    title: 'Podman cannot tell which registry a short image name means',
    examples: ['Error: short-name "app" did not resolve to an alias and no unqualified-search registries are defined in "/etc/containers/registries.conf"'],
  },
  {
    id: 'disk-full',
    category: 'other',
    confidence: 0.6,
    source: 'https://docs.docker.com/engine/daemon/troubleshoot/',
    pattern: /no space left on device/i,
    needsRegistryContext: true,
    title: 'A disk is full (the build machine, or the registry storage)',
    examples: ['failed to copy: write /var/lib/docker/tmp/blob: no space left on device'],
  },
  {
    id: 'push-failed-unrecognised',
    category: 'other',
    confidence: 0.3,
    source: 'https://docs.docker.com/reference/cli/docker/image/push/',
    fallback: true,
    pattern: /error pushing image|failed to push(?! some refs)|Failed to push images successfully|push failed|Error copying image to the remote destination/i,
    title: 'The push failed; the log does not say why in words we recognise',
    examples: ['Error: failed to run step id: acb_step_1: Failed to push images successfully'],
  },
];
