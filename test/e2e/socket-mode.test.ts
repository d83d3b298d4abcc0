// Socket Mode: with SLACK_APP_TOKEN set, the app connects over a WebSocket (the fake's), acks commands on it,
// and still serves /healthz and /metrics on PORT.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, type AppProcess } from '../fakes/app-process.js';
import { cleanPrefix, uniquePrefix } from '../fakes/redis.js';
import { FakeSlack } from '../fakes/slack-api.js';

let fake: FakeSlack;
let app: AppProcess;
const prefix = uniquePrefix('e2e-socket');

beforeAll(async () => {
  fake = await new FakeSlack().start();
  app = await startApp({ env: { SLACK_API_URL: fake.apiUrl, QUEUE_PREFIX: prefix, SLACK_APP_TOKEN: 'xapp-1-test', SLACK_SIGNING_SECRET: '' } });
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  await cleanPrefix(prefix);
});

it('takes /registry diagnose over the socket: ack on the socket, diagnosis in the thread', async () => {
  await fake.socketMode.connected();
  expect(fake.ok('apps.connections.open')[0]?.authorization).toBe('Bearer xapp-1-test');
  fake.socketMode.send({
    envelope_id: 'env-1',
    type: 'slash_commands',
    accepts_response_payload: true,
    payload: {
      token: 'x',
      team_id: 'T0FAKE',
      channel_id: 'C0SOCK',
      user_id: 'U0ALICE',
      command: '/registry',
      text: 'diagnose denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository/app',
      response_url: fake.responseUrl('sock'),
      trigger_id: '1.2.3',
      api_app_id: 'A0APP',
    },
  });
  const ack = await fake.waitFor(() => fake.socketMode.acks.find((a) => a.envelope_id === 'env-1'), 5000, 'socket ack');
  expect(ack.payload).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/Diagnosing…/) });
  const reply = await fake.waitFor(() => fake.ok('chat.postMessage', (c) => c.params.channel === 'C0SOCK' && c.params.thread_ts !== undefined)[0], 10_000, 'thread reply');
  expect(JSON.stringify(reply.params.blocks)).toContain('may not push to');
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  expect(await (await fetch(`${app.url}/metrics`)).text()).toMatch(/registry_doctor_slack_commands_total\{subcommand="diagnose"\} 1/);
});
