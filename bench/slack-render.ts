// bench:slack-render — every labelled log of the corpora diagnosed and rendered as the worker posts it (the
// thread reply with its buttons, and the plain-text fallback): how long rendering takes, and how close the
// largest message comes to Slack's budget (50 blocks, about 12,000 characters of blocks JSON).
import { readdirSync, readFileSync } from 'node:fs';
import { diagnose } from '../src/engine/diagnose.js';
import { blocksJsonLength, renderDiagnosisBlocks, renderPlainAnswer, SLACK_LIMITS } from '../src/render/slack/blocks.js';

const corpora = ['test/fixtures/corpus/dev.jsonl', 'test/fixtures/logs/public.jsonl', 'test/fixtures/logs/cases.jsonl', 'test/fixtures/logs/wild.jsonl'];
const requests: Array<{ log: string; image?: string }> = [];
for (const file of corpora) {
  let text: string;
  try {
    text = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
  } catch {
    continue;
  }
  for (const line of text.split('\n').filter(Boolean)) {
    const c = JSON.parse(line) as { log: string; image?: string | null };
    requests.push(c.image ? { log: c.log, image: c.image } : { log: c.log });
  }
}
const examples = new URL('../examples/', import.meta.url);
for (const f of readdirSync(examples).filter((n) => n.endsWith('.log'))) requests.push({ log: readFileSync(new URL(f, examples), 'utf8') });

const diagnoses = requests.map((r) => diagnose(r));
const rounds = 20;
const times: number[] = [];
let largest = { json: 0, blocks: 0, truncated: 0 };
for (let round = 0; round < rounds; round += 1) {
  for (const d of diagnoses) {
    const started = performance.now();
    const message = renderDiagnosisBlocks(d, { answerId: 'AbCdEfGhIjKlMnOp', user: 'U0ALICE' });
    renderPlainAnswer(d, { user: 'U0ALICE' });
    times.push(performance.now() - started);
    if (round === 0) {
      const json = blocksJsonLength(message.blocks);
      const cut = JSON.stringify(message.blocks).includes('Cut to fit Slack') ? 1 : 0;
      largest = { json: Math.max(largest.json, json), blocks: Math.max(largest.blocks, message.blocks.length), truncated: largest.truncated + cut };
    }
  }
}
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(3);
console.log(`logs rendered: ${diagnoses.length} (×${rounds} rounds)`);
console.log(`render (thread reply + plain fallback): p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${times.at(-1)!.toFixed(3)} ms`);
console.log(`largest message: ${largest.json} chars of blocks JSON (budget ${SLACK_LIMITS.blocksJson}), ${largest.blocks} blocks (limit ${SLACK_LIMITS.blocks}); cut to fit: ${largest.truncated}`);
