// `npm run main` (after scripts/bootstrap.sh has built every package): run `mailstack serve`
// from the built package, in the folder npm was started from, with the embedded default
// (unless that folder has a mailstack.yaml or $MAILSTACK_CONFIG is set). See docs/main-job.md.
//
// The server runs in its own process group so that Ctrl-C reaches it once, through us: the
// terminal would otherwise signal it directly as well, and a second signal means "stop without
// waiting". A second Ctrl-C a moment later is passed on, and does mean that.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../packages/mailstack/dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error(`main: ${cli} is missing; build first: sh scripts/bootstrap.sh`);
  process.exit(1);
}
// npm runs scripts in the package root and says in INIT_CWD where it was started.
const cwd = process.env.INIT_CWD ?? process.cwd();
// The bin itself, as an installed `mailstack` runs: its #! line gives node its flags (src/cli.ts).
const server = spawn(cli, ['serve', ...process.argv.slice(2)], { cwd, stdio: 'inherit', detached: true });

// One terminal key press can reach us twice (the terminal and npm): the same signal within this
// window counts once.
const REPEAT_WINDOW_MS = 1000;
let lastForwardAt = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    const now = Date.now();
    if (now - lastForwardAt < REPEAT_WINDOW_MS) return;
    lastForwardAt = now;
    server.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
  });
}
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
