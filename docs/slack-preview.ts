// Draw a recorded Slack thread (the golden JSON the renderer tests write) as HTML, roughly as Slack's client
// draws Block Kit, for the README's picture:
//   npx tsx docs/slack-preview.ts test/render/__snapshots__/thread.example-ecr-push-denied.json > /tmp/thread.html
//   chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot=docs/slack-thread.png --window-size=860,1560 /tmp/thread.html
import { readFileSync } from 'node:fs';

interface Text {
  type: string;
  text: string;
}
interface Block {
  type: string;
  text?: Text;
  elements?: Array<{ type: string; text?: Text | string; placeholder?: Text; style?: string }>;
}
interface Message {
  text: string;
  blocks: Block[];
}
interface SharedFile {
  name: string;
  content: string;
  snippetType: string;
}

const EMOJI: Record<string, string> = {
  red_circle: '🔴',
  large_yellow_circle: '🟡',
  large_orange_circle: '🟠',
  grey_question: '❔',
  white_check_mark: '✅',
  repeat: '🔁',
  page_facing_up: '📄',
  x: '❌',
  mag: '🔍',
};
const USERS: Record<string, string> = { U0ALICE: 'alice' };

const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack mrkdwn (already escaped for Slack: &amp; &lt; &gt;) → HTML. */
function mrkdwn(text: string): string {
  const pres: string[] = [];
  let out = text.replace(/```\n?([\s\S]*?)\n?```/g, (_, body: string) => {
    pres.push(`<pre>${body.replace(/\u200b/g, '')}</pre>`);
    return `\u0000${pres.length - 1}\u0000`;
  });
  out = out
    .replace(/<@([UW][A-Z0-9]+)>/g, (_, id: string) => `<span class="mention">@${USERS[id] ?? id}</span>`)
    .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1')
    .replace(/<(https:[^|>]+)\|([^>]+)>/g, '<a href="$1">$2</a>')
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1<i>$2</i>')
    .replace(/:([a-z_]+):/g, (m, name: string) => EMOJI[name] ?? m)
    .replace(/\n/g, '<br>');
  // A code block is a block of its own: no line break on either side of it.
  return out.replace(/(?:<br>)*\u0000(\d+)\u0000(?:<br>)*/g, (_, i: string) => pres[Number(i)]!);
}

function plain(t: Text | string | undefined): string {
  const s = typeof t === 'string' ? t : (t?.text ?? '');
  return html(s).replace(/:([a-z_]+):/g, (m, name: string) => EMOJI[name] ?? m);
}

function blocks(list: Block[]): string {
  return list
    .map((b) => {
      switch (b.type) {
        case 'section':
          return `<div class="section">${mrkdwn(b.text?.text ?? '')}</div>`;
        case 'header':
          return `<div class="header">${plain(b.text)}</div>`;
        case 'divider':
          return '<hr>';
        case 'context':
          return `<div class="context">${(b.elements ?? []).map((e) => `<span>${mrkdwn(typeof e.text === 'string' ? e.text : (e.text?.text ?? ''))}</span>`).join('')}</div>`;
        case 'actions':
          return `<div class="actions">${(b.elements ?? [])
            .map((e) => (e.type === 'button' ? `<span class="button ${e.style ?? ''}">${plain(e.text)}</span>` : `<span class="select">${plain(e.placeholder)} ▾</span>`))
            .join('')}</div>`;
        default:
          return '';
      }
    })
    .join('\n');
}

function message(m: Message, time: string): string {
  return `<div class="msg"><div class="avatar">🩺</div><div class="body"><div class="who"><b>registry-doctor</b> <span class="app">APP</span> <span class="time">${time}</span></div>${blocks(m.blocks)}</div></div>`;
}

/** A snippet shared in the thread, as Slack shows one: its name and type, then its first lines. */
function snippet(f: SharedFile, time: string): string {
  const lines = f.content.split('\n');
  const shown = lines.slice(0, 14).join('\n');
  const more = lines.length > 14 ? `<div class="more">${lines.length - 14} more lines</div>` : '';
  return `<div class="msg"><div class="avatar">🩺</div><div class="body"><div class="who"><b>registry-doctor</b> <span class="app">APP</span> <span class="time">${time}</span></div><div class="snippet"><div class="name"><b>${html(f.name)}</b> <span class="type">${html(f.snippetType.toUpperCase())} snippet</span></div><pre>${html(shown)}</pre>${more}</div></div></div>`;
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: tsx docs/slack-preview.ts THREAD.json > thread.html\n');
  process.exit(2);
}
const thread = JSON.parse(readFileSync(file, 'utf8')) as { parent: Message; reply: Message; files?: SharedFile[] };
const files = thread.files ?? [];
const replies = 1 + files.length;
process.stdout.write(`<!doctype html><meta charset="utf-8"><style>
body{font-family:Lato,"Helvetica Neue",Arial,sans-serif,"Noto Color Emoji";font-size:15px;color:#1d1c1d;margin:0;background:#fff;width:860px}
.channel{padding:10px 20px;border-bottom:1px solid #ddd;font-weight:bold}.thread{padding:6px 20px;color:#616061;border-bottom:1px solid #eee;font-size:13px}
.msg{display:flex;padding:10px 20px}.avatar{width:36px;height:36px;border-radius:6px;background:#e8f5fa;font-size:22px;text-align:center;line-height:36px;margin-right:10px;flex:none}
.body{flex:1;min-width:0}.who{margin-bottom:2px}.app{background:#ddd;color:#555;font-size:10px;padding:1px 3px;border-radius:2px}.time{color:#616061;font-size:12px}
.section{margin:4px 0 8px;line-height:1.45}code{background:#f6f6f6;border:1px solid #e1e1e1;border-radius:3px;color:#c01343;font-size:12px;padding:1px 3px}
pre{background:#f8f8f8;border:1px solid #e1e1e1;border-radius:4px;padding:8px;font-size:12px;white-space:pre-wrap;word-break:break-all;margin:4px 0}
.context{color:#616061;font-size:12px;margin:6px 0}.context span{margin-right:12px}a{color:#1264a3;text-decoration:none}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}.actions{margin:8px 0}
.button,.select{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:4px 12px;margin-right:8px;font-weight:bold;font-size:13px}
.button.primary{background:#007a5a;color:#fff;border-color:#007a5a}.select{font-weight:normal;color:#616061}hr{border:0;border-top:1px solid #ddd}
.snippet{border:1px solid #ddd;border-radius:6px;padding:8px 10px;margin:4px 0}.snippet pre{margin:6px 0 0}.type{color:#616061;font-size:12px;font-weight:normal}.more{color:#1264a3;font-size:12px;margin-top:4px}
</style><div class="channel"># builds</div>${message(thread.parent, '09:41')}<div class="thread">${replies} ${replies === 1 ? 'reply' : 'replies'} — Thread</div>${message(thread.reply, '09:41')}${files.map((f) => snippet(f, '09:41')).join('')}`);
