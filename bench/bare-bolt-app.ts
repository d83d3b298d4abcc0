// The baseline for bench/ack.ts: a Bolt app in HTTP mode whose /registry command only acks.
// Env: PORT, SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL.
import { App, LogLevel } from '@slack/bolt';

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  logLevel: LogLevel.ERROR,
  ...(process.env.SLACK_API_URL ? { clientOptions: { slackApiUrl: process.env.SLACK_API_URL } } : {}),
});

app.command(/^\/[\w-]+$/, async ({ ack }) => {
  await ack({ response_type: 'ephemeral', text: 'diagnosing…' });
});

await app.start(Number(process.env.PORT ?? 3100));
process.stdout.write(`bare bolt app listening on ${process.env.PORT}\n`);
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
