/**
 * The `samsa` process: runs main() with the process's arguments and
 * environment, turns Ctrl-C into a graceful stop and exits with main's code.
 * Two ways in: cli/samsa.mjs runs it through tsx in this repository, and the
 * @samsa/cli package runs its esbuild bundle (scripts/build-packages.ts)
 * with plain node.
 */
import { main } from './main';

const controller = new AbortController();
let interrupts = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // First Ctrl-C stops gracefully (flush, commit, leave the group); a second one quits at once.
    if (interrupts++ > 0) process.exit(130);
    controller.abort();
  });
}
// `samsa consume … | head` closes the pipe early: that is a normal end, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await main(process.argv.slice(2), process.env, controller.signal);
// Exit once stdout has drained; idle keep-alive sockets must not hold the process open.
process.stdout.write('', () => process.exit(code));
