// mailstack's SmtpServer with a handler that reads each body and drops it: the SMTP side alone,
// without the disk, for `node smtp/run.mjs --targets smtp-sink,ours --ours smtp/ours-discard.mjs`.
// Same options as ours.mjs. Uses the BUILT package.
import { startBenchServer } from './ours.mjs';

/** Starts the server; resolves once it listens. */
export function start(options) {
  return startBenchServer(options, async (_envelope, body) => {
    for await (const chunk of body) void chunk;
    return { code: 250, enhanced: '2.0.0', text: 'Ok: discarded' };
  });
}
