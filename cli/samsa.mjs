#!/usr/bin/env node
// The `samsa` command. Runs the TypeScript CLI through tsx's loader, so
// `npx samsa …` works in the project and after `npm link` with no build step.
// tsx resolves from this file's real path (the project's node_modules), wherever it is invoked from.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');

const controller = new AbortController();
let interrupts = 0;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    // First Ctrl-C stops gracefully (flush, commit, leave the group); a second one quits at once.
    if (interrupts++ > 0) process.exit(130);
    controller.abort();
  });
}
// `samsa consume … | head` closes the pipe early: that is a normal end, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await main(process.argv.slice(2), process.env, controller.signal);
// Exit once stdout has drained; idle keep-alive sockets must not hold the process open.
process.stdout.write('', () => process.exit(code));
