// Long documents a diagnosis' steps read (an IAM policy) go as snippet files in the thread, after the message
// whose command uses them: files.uploadV2, which is files.getUploadURLExternal, the upload to the URL it gives,
// then files.completeUploadExternal sharing the files into the thread. Needs the files:write scope.
import type { Metrics } from '../ops/metrics.js';
import { callSlack, type WebClient } from './web-client.js';

export interface SharedDocument {
  name: string;
  content: string;
}

/** Slack's snippet type for a file name (Slack highlights the snippet by it). */
export function snippetType(name: string): string {
  const ext = name.toLowerCase().split('.').pop();
  if (ext === 'json') return 'json';
  if (ext === 'yaml' || ext === 'yml') return 'yaml';
  return 'text';
}

/** Share every document in the thread, in one upload; throws when Slack refuses any step. */
export async function shareDocuments(slack: WebClient, metrics: Metrics, where: { channel: string; threadTs: string }, documents: readonly SharedDocument[]): Promise<void> {
  await callSlack(metrics, 'files.uploadV2', () =>
    slack.files.uploadV2({
      channel_id: where.channel,
      thread_ts: where.threadTs,
      file_uploads: documents.map((doc) => ({ content: doc.content, filename: doc.name, title: doc.name, snippet_type: snippetType(doc.name) })),
    }),
  );
}
