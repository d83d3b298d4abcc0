// The baseline for bench/ack.ts and bench/load.ts: a Bolt app in HTTP mode that only acks — slash commands,
// form submissions, button clicks and events — plus a CI webhook route that answers 202 after reading the body.
// Env: PORT, SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL.
import { App, LogLevel } from '@slack/bolt';

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  logLevel: LogLevel.ERROR,
  ...(process.env.SLACK_API_URL ? { clientOptions: { slackApiUrl: process.env.SLACK_API_URL } } : {}),
  customRoutes: [
    {
      path: '/webhooks/ci',
      method: ['POST'],
      handler: (req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(202, { 'content-type': 'application/json' });
          res.end('{"id":"bare"}');
        });
      },
    },
  ],
});

app.command(/^\/[\w-]+$/, async ({ ack }) => {
  await ack({ response_type: 'ephemeral', text: 'diagnosing…' });
});
app.view(/.*/, async ({ ack }) => {
  await ack();
});
app.action(/.*/, async ({ ack }) => {
  await ack();
});
app.event(/.*/, async () => {});

await app.start(Number(process.env.PORT ?? 3100));
process.stdout.write(`bare bolt app listening on ${process.env.PORT}\n`);
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
