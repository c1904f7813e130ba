// The npm `smtp-server` baseline (nodemailer's SMTP server library), set up like
// /work/shared/peers/smtp-server-peer/server.js: every message is streamed into its own file,
// fsync()ed and closed before the 250 reply, so its figures compare with a durable queue.
// Started by serve-module.mjs in its own process: start({ host, port, dir, domain }).
import { randomBytes } from 'node:crypto';
import { close, createWriteStream, fsync, mkdirSync, unlink } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

/** Starts the server; resolves once it listens. */
export async function start({ host, port, dir, domain = 'bench.test' }) {
  mkdirSync(dir, { recursive: true });
  const prefix = `${Date.now().toString(36)}.${process.pid}.`;
  let seq = 0;
  const server = new SMTPServer({
    name: `peer.${domain}`,
    banner: 'smtp-server peer',
    logger: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true, // no DNS: 127.0.0.1 only
    size: 64 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const at = address.address.lastIndexOf('@');
      if (at < 0 || address.address.slice(at + 1).toLowerCase() !== domain) {
        return callback(Object.assign(new Error('5.1.1 Recipient address rejected'), { responseCode: 550 }));
      }
      return callback();
    },
    onData(stream, _session, callback) {
      const id = `${prefix}${++seq}.${randomBytes(4).toString('hex')}`;
      const file = join(dir, id);
      const out = createWriteStream(file, { flags: 'wx', autoClose: false });
      let done = false;
      const finish = (error) => {
        if (done) return;
        done = true;
        const reply = (err) => {
          if (err) return callback(err);
          if (stream.sizeExceeded) {
            const tooBig = Object.assign(new Error('Message exceeds fixed maximum message size'), { responseCode: 552 });
            return unlink(file, () => callback(tooBig));
          }
          return callback(null, `Ok: queued as ${id}`);
        };
        if (typeof out.fd !== 'number') return reply(error);
        const closeFile = (err) => close(out.fd, (closeError) => reply(err ?? closeError));
        if (error) return closeFile(error);
        return fsync(out.fd, (syncError) => closeFile(syncError));
      };
      stream.on('error', finish);
      out.on('error', finish);
      out.on('finish', () => finish(null));
      stream.pipe(out);
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: server.server.address().port,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
