// mailstack's SmtpServer for the SMTP benchmark (bench/README.md "Plugging in ours"), set up like
// peers/smtp-server-fsync.mjs: each message streamed into its own file, fsync()ed and closed
// before the 250 reply. Uses the BUILT package: run `pnpm --filter mailstack build` first.
// The file is written through node:fs callbacks, not FileHandle: the same syscalls with less
// JavaScript around each (measured: ~15 % less user CPU per message). The body is gathered into
// writes of up to GATHER_BYTES (one writev(2) of the chunks as they came, no copy), so a small
// message costs three threadpool hops (open, writev, fsync) however many chunks it arrived in,
// and memory stays bounded by GATHER_BYTES whatever the message size. close(2) runs on the main
// thread, as in the mta spool (@mailstack/mailstore closeFd): on a file that was not truncated it
// only drops the descriptor. File names are unique
// by process start time, pid and a counter ('wx' refuses a clash), without a random part.
import { closeSync, fsync, mkdirSync, open, unlink, writev } from 'node:fs';
import { join } from 'node:path';
import { SmtpServer } from 'mailstack';

const GATHER_BYTES = 64 * 1024;

/** `fn(...args, callback)` as a promise of the callback's value. */
const fsCall = (fn, ...args) => new Promise((resolve, reject) => fn(...args, (error, value) => (error ? reject(error) : resolve(value))));

/** Writes every chunk of `body` to `fd`, at most GATHER_BYTES held at a time. */
async function writeBody(fd, body) {
  let held = [];
  let heldBytes = 0;
  for await (const chunk of body) {
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes < GATHER_BYTES) continue;
    const buffers = held;
    held = [];
    heldBytes = 0;
    await fsCall(writev, fd, buffers);
  }
  if (held.length > 0) await fsCall(writev, fd, held);
}

/**
 * Our SmtpServer as every SMTP bench module sets it up: recipients at `domain` only, `onData`
 * storing (or dropping) each body. Resolves once it listens.
 */
export async function startBenchServer({ host, port, domain = 'bench.test' }, onData) {
  const server = new SmtpServer(
    { hostname: `ours.${domain}`, maxMessageBytes: 64 * 1024 * 1024, maxConnections: 1000, maxConnectionsPerIp: 1000 },
    {
      onRcptTo(path) {
        if (path.domain.toLowerCase() !== domain) return { code: 550, enhanced: '5.1.1', text: 'Recipient address rejected' };
        return undefined;
      },
      onData,
    },
  );
  const listening = await server.listen({ host, port });
  return { port: listening.port, stop: () => server.close({ graceMs: 5000 }) };
}

/** Starts the server; resolves once it listens. */
export async function start(options) {
  const { dir } = options;
  mkdirSync(dir, { recursive: true });
  const prefix = `${Date.now().toString(36)}.${process.pid}.`;
  let seq = 0;
  return startBenchServer(options, async (_envelope, body) => {
    const id = `${prefix}${++seq}`;
    const file = join(dir, id);
    const fd = await fsCall(open, file, 'wx');
    try {
      await writeBody(fd, body);
      await fsCall(fsync, fd);
    } catch (error) {
      closeSync(fd);
      await fsCall(unlink, file);
      throw error;
    }
    closeSync(fd);
    return { code: 250, enhanced: '2.0.0', text: `Ok: queued as ${id}` };
  });
}
