// Help texts, in the manner of common Unix tools: usage, description, options, exit status, examples.
import { readFileSync } from 'node:fs';
import { PROGRAM } from './io.js';

/** The package version (package.json sits two levels up from both src/cli and dist/cli). */
export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const EXIT_STATUS = `Exit status:
  0  a registry failure was diagnosed
  1  internal error
  2  usage error, or a file that cannot be read
  3  no registry failure found in the log (also: empty or binary input)`;

export const MAIN_HELP = `Usage: ${PROGRAM} <command> [options]

Tell why a container image push failed. Reads a CI log (docker push, buildx, BuildKit, podman, crane,
skopeo, kaniko, cloud CLIs), names the cause, shows the evidence and how to fix it. Amazon ECR, Google
Artifact Registry / GCR, Azure Container Registry, Docker Hub, GHCR and any OCI registry.

Commands:
  diagnose   diagnose a push log (a file, stdin, or a JSON Lines batch)
  check      preflight: would a push of IMAGE succeed right now? (no log; put it before docker build)
  eval       measure the classifier against a labelled JSON Lines file
  report     CI step after a failed push: print the diagnosis and send it to the bot (Slack alert)
  feedback   export the team's "Wrong cause?" answers from Slack as labelled cases

Options:
  -h, --help     show this help and exit
  -V, --version  print the version and exit

Run '${PROGRAM} <command> --help' for the options of a command.

${EXIT_STATUS}

Examples:
  ${PROGRAM} diagnose --log push.log
  docker push "$IMAGE" > push.log 2>&1 || ${PROGRAM} diagnose --log push.log --image "$IMAGE"
`;

export const DIAGNOSE_HELP = `Usage: ${PROGRAM} diagnose [--log FILE|-] [--image REF] [--format text|json]
       ${PROGRAM} diagnose --jsonl FILE|-

Diagnose why a container image push failed, from its log. The log is read as a stream, so a log of any
size is fine. With no --log and a pipe on stdin, the log is read from stdin.

Options:
  -l, --log FILE       the log to read; '-' for stdin
  -i, --image REF      the image that was pushed (e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0);
                       masked parts (***, <account>, $AWS_ACCOUNT_ID) are fine, and a reference Docker
                       would refuse is diagnosed as such
  -f, --format FORMAT  'text' (default; coloured on a terminal unless NO_COLOR is set) or 'json'
  -p, --probe          also ask the registry (and its cloud) what is wrong: probes confirm, refute or
                       add causes (credentials from the config's registries[], read-only)
  -c, --config FILE    the configuration: its registries[] name the provider of a host (a custom domain)
                       and, with --probe, the credentials (default with --probe: $REGISTRY_DOCTOR_CONFIG,
                       else ./registry-doctor.yml; without one, anonymous OCI and network probes only)
      --jsonl FILE     batch: each line {"id", "log", "image"?}; prints one line per input line,
                       {"id", "provider", "category", "findings"}, in order; '-' for stdin
  -h, --help           show this help and exit

${EXIT_STATUS}
  With --jsonl: 0 once the batch is read; a line that is not JSON, or lacks "id" or "log", gets an
  output line {"id"?, "error"} and a message on stderr naming its line number, and the batch goes on.

Examples:
  ${PROGRAM} diagnose --log push.log
  docker push "$IMAGE" 2>&1 | ${PROGRAM} diagnose --image "$IMAGE"
  ${PROGRAM} diagnose --log push.log --format json | jq -r '.findings[0].category'
  ${PROGRAM} diagnose --jsonl failures.jsonl > diagnoses.jsonl
`;

export const CHECK_HELP = `Usage: ${PROGRAM} check IMAGE [--config FILE] [--format text|json]

Preflight before a long build: run the probes against IMAGE's registry, with no log, and say whether a
push would succeed right now; if not, why (the cause as 'diagnose' names it). The push right is proven
by starting a blob upload and cancelling it: nothing is written. Credentials come from the matching
registries[] entry (credentials.probe; the cloud's default chain when it names none): give it the
credentials the push will use.

Options:
  -c, --config FILE    the configuration (default: $REGISTRY_DOCTOR_CONFIG, else ./registry-doctor.yml)
  -f, --format FORMAT  'text' (default) or 'json': {"verdict": "push_allowed"|"push_blocked"|"unknown", "diagnosis"}
  -h, --help           show this help and exit

Exit status:
  0  a push would succeed (the registry accepted an upload, then it was cancelled)
  1  internal error
  2  usage error, or a configuration that cannot be read
  4  a push would fail: the cause is printed
  5  could not tell (no credentials for the push check, probes timed out or errored)

Examples:
  ${PROGRAM} check 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0 && docker build -t … .
  ${PROGRAM} check ghcr.io/acme/app:1.0 --config registry-doctor.yml --format json | jq -r .verdict
`;

export const FEEDBACK_HELP = `Usage: ${PROGRAM} feedback export [--out FILE]

Write the "Wrong cause?" answers people gave under diagnoses in Slack as labelled JSON Lines, one case
per diagnosis (the latest answer wins), in the shape '${PROGRAM} eval' reads: id, provider, category,
decidable, log (redacted, as the bot stored it), image, source.

Reads the bot's Redis: REDIS_URL (or REDIS_CLUSTER_NODES) and QUEUE_PREFIX, as the bot runs with them.

Options:
  -o, --out FILE  write to FILE instead of stdout
  -h, --help      show this help and exit

Example:
  ${PROGRAM} feedback export --out team-cases.jsonl && ${PROGRAM} eval team-cases.jsonl
`;

export const EVAL_HELP = `Usage: ${PROGRAM} eval [--format text|json] FILE|-

Run the classifier on a labelled JSON Lines file and report how often it is right. Each line holds
"id", "provider", "category", "decidable", "log" and optionally "image"; other fields are ignored.
A category of "none" labels a failure that is not about a registry: right when there is no finding.

Reported:
  provider accuracy           on all cases
  category accuracy (top 1)   the top finding, on decidable cases
  category accuracy (top 2)   the label within the first two findings, on all cases
  a confusion table (expected x predicted top category; 'none' = no finding) and the misclassified ids

Options:
  -f, --format FORMAT  'text' (default) or 'json'
  -h, --help           show this help and exit

Exit status:
  0  the report was printed (whatever the accuracy)
  1  internal error
  2  usage error, or a file that cannot be read or holds a malformed line

Examples:
  ${PROGRAM} eval ../shared/corpus/dev.jsonl
  ${PROGRAM} eval --format json test/fixtures/cases.jsonl | jq .categoryTop1
`;

export const REPORT_HELP = `Usage: ${PROGRAM} report [--log FILE|-] [--image REF] [--url URL] [--channel ID] [--strict]

The CI step after a failed push: prints the diagnosis (so the job log names the cause), then sends the
redacted log, signed with CI_WEBHOOK_SECRET, to the bot's POST /webhooks/ci, which posts a Slack alert.
Pipeline facts (name, run, job, commit, branch, URL) are read from the variables of GitHub Actions,
GitLab CI, Jenkins, CircleCI, Azure Pipelines and Buildkite. A 503 or a network error is retried with
backoff (1 s, 2 s, 4 s, ...). The bot being down never fails the pipeline: a warning, exit 0.

Options:
  -l, --log FILE       the failed step's output; '-' (or a pipe) for stdin
  -i, --image REF      the image that was pushed
      --url URL        the bot's base address (default: REGISTRY_DOCTOR_URL)
      --channel ID     ask for a Slack channel (honoured only when the bot's configuration allows it)
      --runner-ip IP   the runner's public address, for registry firewall checks
      --retries N      attempts after the first (default 5)
      --strict         exit 1 when the report could not be delivered
  -h, --help           show this help and exit

Environment:
  REGISTRY_DOCTOR_URL  the bot's base address, e.g. https://registry-doctor.example.com
  CI_WEBHOOK_SECRET    the secret shared with the bot (a CI secret variable)

Exit status:
  0  reported, or not delivered without --strict (a warning is printed)
  1  not delivered, with --strict
  2  usage error, or a file that cannot be read

Examples:
  docker push "$IMAGE" 2>&1 | tee push.log || ${PROGRAM} report --log push.log --image "$IMAGE"
`;
