// Postfix's smtp-source(1) as the load of the SMTP and MTA benchmarks, and the untimed warm-up
// every target gets before its timed runs.
//
// Why a warm-up: V8 compiles a Node server's hot functions with TurboFan only after they have run
// a few thousand times, on background threads that share this 2-core machine with the server and
// the load. Measured here on `mailstack serve` (bench/mta's setup, 20 sessions, no reuse, one
// process, batches back to back): the first 1,000 messages cost 2,440 µs of server CPU each, of
// which ~570 on V8's compiler threads; the next 5,000 1,546 µs (~160 compiling); the 5,000 after
// those 1,458 µs (~60); acceptance went from 469 to 825 and 835 msgs/s. A timed run that starts
// cold measures the compiler, not the server; a mail server runs for weeks. Every target gets the
// same warm-up (for Postfix it also starts its smtpd, cleanup and local processes), in each mode
// that is timed, before the wait for ext4's recently-deleted window (peers/deleted-inodes.mjs),
// so a target that deletes files during its warm-up does not pay for it in its timed runs.

import { spawn } from 'node:child_process';

/** Default warm-up, messages per timed mode. */
export const WARMUP_MESSAGES = 5000;

/**
 * Runs `smtp-source -s SESSIONS -l SIZE -m COUNT [-d] -f SENDER -t RCPT HOST:PORT`; resolves with
 * its exit code and standard error once it exits.
 */
export function runSmtpSource(command, { host, port, sender, rcpt, sessions, size, count, reuse }) {
  const args = ['-s', String(sessions), '-l', String(size), '-m', String(count), '-f', sender, '-t', rcpt];
  if (reuse) args.push('-d');
  args.push(`${host}:${port}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr: stderr.trim() }));
  });
}

/**
 * The untimed warm-up: `count` messages in each of `modes` (false = a connection per message,
 * true = reused), then `settle(sent)` with the number sent (e.g. until the target has delivered
 * them all). A target that `deletes` files as it works marks `deletions` afterwards, so its timed
 * runs wait out the window too. Throws if smtp-source fails, naming the target.
 */
export async function warmUp(command, load, { name, count, modes, settle = async () => {}, deletes = false, deletions, log = (text) => console.error(text) }) {
  if (count <= 0) return;
  for (const reuse of modes) {
    const run = await runSmtpSource(command, { ...load, count, reuse });
    if (run.code !== 0) throw new Error(`${name}: warm-up (${count} messages, reuse=${reuse ? 'yes' : 'no'}) failed: smtp-source exit ${run.code} ${run.stderr.slice(0, 300)}`);
  }
  await settle(count * modes.length);
  if (deletes) deletions.mark();
  log(`${name}: warmed up with ${count} messages per mode (untimed)`);
}
