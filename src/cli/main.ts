#!/usr/bin/env node
// registry-doctor: the process wiring only. The commands live in run.ts and its neighbours.
import { runCli } from './run.js';

// A closed pipe (`registry-doctor … | head`) is not an error worth a stack trace: stop writing quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await runCli({
  argv: process.argv.slice(2),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
