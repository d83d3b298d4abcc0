// Pipeline facts from the standard variables each CI sets, so `report` needs no flags on a runner. Pure.

export interface PipelineFacts {
  provider: string;
  name?: string;
  url?: string;
  run_id?: string;
  job?: string;
  commit?: string;
  branch?: string;
}

type Env = Record<string, string | undefined>;

interface CiReader {
  provider: string;
  /** The variable that says "this is that CI". */
  detect: (env: Env) => boolean;
  read: (env: Env) => Omit<PipelineFacts, 'provider'>;
}

const join = (sep: string, ...parts: Array<string | undefined>) => parts.filter((p) => p !== undefined && p !== '').join(sep) || undefined;

const READERS: readonly CiReader[] = [
  {
    provider: 'github',
    detect: (e) => e.GITHUB_ACTIONS === 'true',
    read: (e) => ({
      name: join(' · ', e.GITHUB_REPOSITORY, e.GITHUB_WORKFLOW),
      url: e.GITHUB_REPOSITORY && e.GITHUB_RUN_ID ? `${e.GITHUB_SERVER_URL ?? 'https://github.com'}/${e.GITHUB_REPOSITORY}/actions/runs/${e.GITHUB_RUN_ID}` : undefined,
      run_id: e.GITHUB_RUN_ID,
      // A re-run attempt of a job is a new failure.
      job: e.GITHUB_JOB && e.GITHUB_RUN_ATTEMPT && e.GITHUB_RUN_ATTEMPT !== '1' ? `${e.GITHUB_JOB} (attempt ${e.GITHUB_RUN_ATTEMPT})` : e.GITHUB_JOB,
      commit: e.GITHUB_SHA,
      branch: e.GITHUB_REF_NAME,
    }),
  },
  {
    provider: 'gitlab',
    detect: (e) => e.GITLAB_CI === 'true',
    read: (e) => ({ name: e.CI_PROJECT_PATH, url: e.CI_JOB_URL, run_id: e.CI_PIPELINE_ID, job: join(' #', e.CI_JOB_NAME, e.CI_JOB_ID), commit: e.CI_COMMIT_SHA, branch: e.CI_COMMIT_REF_NAME }),
  },
  {
    provider: 'circleci',
    detect: (e) => e.CIRCLECI === 'true',
    read: (e) => ({
      name: join('/', e.CIRCLE_PROJECT_USERNAME, e.CIRCLE_PROJECT_REPONAME),
      url: e.CIRCLE_BUILD_URL,
      run_id: e.CIRCLE_WORKFLOW_ID ?? e.CIRCLE_BUILD_NUM,
      job: join(' #', e.CIRCLE_JOB, e.CIRCLE_BUILD_NUM),
      commit: e.CIRCLE_SHA1,
      branch: e.CIRCLE_BRANCH,
    }),
  },
  {
    provider: 'azure-pipelines',
    detect: (e) => (e.TF_BUILD ?? '').toLowerCase() === 'true',
    read: (e) => ({
      name: join(' · ', e.BUILD_REPOSITORY_NAME, e.BUILD_DEFINITIONNAME),
      url: e.SYSTEM_COLLECTIONURI && e.SYSTEM_TEAMPROJECT && e.BUILD_BUILDID ? `${e.SYSTEM_COLLECTIONURI.replace(/\/?$/, '/')}${encodeURIComponent(e.SYSTEM_TEAMPROJECT)}/_build/results?buildId=${e.BUILD_BUILDID}` : undefined,
      run_id: e.BUILD_BUILDID,
      job: join(' #', e.SYSTEM_JOBDISPLAYNAME ?? e.AGENT_JOBNAME, e.SYSTEM_JOBATTEMPT && e.SYSTEM_JOBATTEMPT !== '1' ? e.SYSTEM_JOBATTEMPT : undefined),
      commit: e.BUILD_SOURCEVERSION,
      branch: e.BUILD_SOURCEBRANCHNAME,
    }),
  },
  {
    provider: 'buildkite',
    detect: (e) => e.BUILDKITE === 'true',
    read: (e) => ({
      name: e.BUILDKITE_PIPELINE_SLUG,
      url: e.BUILDKITE_BUILD_URL && e.BUILDKITE_JOB_ID ? `${e.BUILDKITE_BUILD_URL}#${e.BUILDKITE_JOB_ID}` : e.BUILDKITE_BUILD_URL,
      run_id: e.BUILDKITE_BUILD_ID ?? e.BUILDKITE_BUILD_NUMBER,
      job: join(' #', e.BUILDKITE_LABEL ?? e.BUILDKITE_STEP_KEY, e.BUILDKITE_RETRY_COUNT && e.BUILDKITE_RETRY_COUNT !== '0' ? `retry ${e.BUILDKITE_RETRY_COUNT}` : undefined),
      commit: e.BUILDKITE_COMMIT,
      branch: e.BUILDKITE_BRANCH,
    }),
  },
  {
    // Last: other CIs (and plugins) also set JENKINS_URL-like variables less often than the ones above.
    provider: 'jenkins',
    detect: (e) => Boolean(e.JENKINS_URL && e.BUILD_NUMBER),
    read: (e) => ({ name: e.JOB_NAME, url: e.BUILD_URL, run_id: e.BUILD_NUMBER, job: e.STAGE_NAME ?? e.JOB_NAME, commit: e.GIT_COMMIT, branch: e.BRANCH_NAME ?? e.GIT_BRANCH }),
  },
];

/** The facts of the CI this runs in, or undefined outside any known CI. Empty values are left out. */
export function pipelineFromEnv(env: Env): PipelineFacts | undefined {
  const reader = READERS.find((r) => r.detect(env));
  if (!reader) return undefined;
  const facts: PipelineFacts = { provider: reader.provider };
  for (const [key, value] of Object.entries(reader.read(env))) {
    if (value !== undefined && value !== '') (facts as unknown as Record<string, string>)[key] = value;
  }
  return facts;
}
