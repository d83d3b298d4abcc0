// Long documents a diagnosis' steps read (an IAM policy) go as snippet files in the thread, after the message
// whose command uses them, in Slack's three steps (what the SDK's files.uploadV2 does): files.getUploadURLExternal
// per file, the upload of its bytes to the URL it gives, then files.completeUploadExternal sharing them into the
// thread. Made here so the file ids are known before the share: they go into the step's pending mark, and a
// share whose outcome is unknown (a timeout, a crash, a retried job) is looked for in the thread by them instead
// of being made again. Needs the files:write scope (and the history scopes for the look-up).
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import { findMessage, orPostAgain } from './posted-message.js';
import { callSlack, classifySlackError, type WebClient } from './web-client.js';

export interface SharedDocument {
  name: string;
  content: string;
}

/** A file uploaded and not yet shared, as files.completeUploadExternal takes it. */
interface UploadedFile {
  id: string;
  title: string;
}

/** The upload of one document's bytes (a few kilobytes) to the URL Slack gave. */
const UPLOAD_TIMEOUT_MS = 30_000;

/** Slack's snippet type for a file name (Slack highlights the snippet by it). */
export function snippetType(name: string): string {
  const ext = name.toLowerCase().split('.').pop();
  if (ext === 'json') return 'json';
  if (ext === 'yaml' || ext === 'yml') return 'yaml';
  return 'text';
}

/**
 * The message in the thread that shares any of the files `fileIds` (comma-separated), since `sinceMs`; its ts,
 * or undefined when it is not there.
 */
function findSharedFiles(slack: WebClient, where: { channel: string; threadTs: string; sinceMs: number }, fileIds: string): Promise<string | undefined> {
  const ids = new Set(fileIds.split(','));
  return findMessage(slack, where, (message) => (message.files ?? []).some((file) => file.id !== undefined && ids.has(file.id)));
}

/**
 * Share every document in the thread, in one share; resolves with the file ids (comma-separated), after handing
 * them to `mark` before the share. Throws when Slack refuses any step.
 */
export async function shareDocuments(
  slack: WebClient,
  metrics: Metrics,
  where: { channel: string; threadTs: string },
  documents: readonly SharedDocument[],
  mark: (fileIds: string) => Promise<void>,
): Promise<string> {
  const files: UploadedFile[] = [];
  for (const doc of documents) {
    const bytes = Buffer.from(doc.content, 'utf8');
    const target = await callSlack(metrics, 'files.getUploadURLExternal', () =>
      slack.files.getUploadURLExternal({ filename: doc.name, length: bytes.length, snippet_type: snippetType(doc.name) }),
    );
    if (!target.upload_url || !target.file_id) throw new Error('files.getUploadURLExternal returned no upload URL');
    const url = target.upload_url;
    await callSlack(metrics, 'upload', async () => {
      const uploaded = await fetch(url, { method: 'POST', body: bytes, signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS) });
      await uploaded.body?.cancel();
      if (!uploaded.ok) throw new Error(`the upload of ${doc.name} was refused (HTTP ${uploaded.status})`);
    });
    files.push({ id: target.file_id, title: doc.name });
  }
  const fileIds = files.map((file) => file.id).join(',');
  await mark(fileIds);
  const startedAt = Date.now();
  try {
    await callSlack(metrics, 'files.completeUploadExternal', () =>
      slack.files.completeUploadExternal({ files: files as [UploadedFile, ...UploadedFile[]], channel_id: where.channel, thread_ts: where.threadTs }),
    );
  } catch (error) {
    // A timeout or a lost connection may come after Slack shared the files: look before they are shared again or quoted.
    if (classifySlackError(error).code !== 'request_error' || !(await findSharedFiles(slack, { ...where, sinceMs: startedAt }, fileIds).catch(() => undefined))) throw error;
  }
  return fileIds;
}

/**
 * `shareDocuments`' look-up as PostState.once's `find`: the files an earlier attempt named in its pending mark,
 * in the thread. A mark without them means the attempt never reached the share: nothing to look for.
 */
export function sharedFilesFinder(slack: WebClient, logger: Logger, where: { channel: string; threadTs: string }): (sinceMs: number, fileIds: string | undefined) => Promise<string | undefined> {
  return async (sinceMs, fileIds) => {
    if (!fileIds) return undefined;
    return (await orPostAgain(logger, 'documents', findSharedFiles(slack, { ...where, sinceMs }, fileIds))) ? fileIds : undefined;
  };
}
