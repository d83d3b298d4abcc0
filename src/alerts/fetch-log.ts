// A failed job's log, fetched in the worker (never in the HTTP handler): GitHub Actions through the REST API
// (the logs endpoint answers 302 to a short-lived download URL, which the client follows), GitLab through the
// jobs API. The clients load only when a webhook of that kind is processed.
import type { LogSource } from './alert-job.js';

export interface LogFetchSettings {
  github: { token: string | undefined; apiUrl: string | undefined };
  gitlab: { token: string | undefined; url: string | undefined };
}

/** The log cannot be had (no token, no access, expired, deleted): retrying will not help. */
export class LogUnavailableError extends Error {
  override name = 'LogUnavailableError';
}

const PERMANENT = new Set([401, 403, 404, 410]);

export type FetchJobLog = (source: LogSource) => Promise<string>;

export function createLogFetcher(settings: LogFetchSettings): FetchJobLog {
  return async (source) => {
    if (source.from === 'github') {
      if (!settings.github.token) throw new LogUnavailableError('GITHUB_TOKEN is not set: cannot fetch GitHub Actions logs');
      const { Octokit } = await import('@octokit/rest');
      const octokit = new Octokit({ auth: settings.github.token, ...(settings.github.apiUrl ? { baseUrl: settings.github.apiUrl.replace(/\/$/, '') } : {}) });
      try {
        const res = await octokit.rest.actions.downloadJobLogsForWorkflowRun({ owner: source.owner, repo: source.repo, job_id: source.jobId });
        return typeof res.data === 'string' ? res.data : Buffer.from(res.data as ArrayBuffer).toString('utf8');
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status !== undefined && PERMANENT.has(status)) throw new LogUnavailableError(`GitHub answered ${status} for the log of job ${source.jobId} in ${source.owner}/${source.repo}`);
        throw error;
      }
    }
    if (!settings.gitlab.token) throw new LogUnavailableError('GITLAB_TOKEN is not set: cannot fetch GitLab job traces');
    const { Gitlab } = await import('@gitbeaker/rest');
    const api = new Gitlab({ host: settings.gitlab.url ?? 'https://gitlab.com', token: settings.gitlab.token });
    try {
      return await api.Jobs.showLog(source.projectId, source.jobId);
    } catch (error) {
      const status = (error as { cause?: { response?: { status?: number } } }).cause?.response?.status;
      if (status !== undefined && PERMANENT.has(status)) throw new LogUnavailableError(`GitLab answered ${status} for the trace of job ${source.jobId} in project ${source.projectId}`);
      throw error;
    }
  };
}
