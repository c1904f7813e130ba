// The floor for any Node SMTP server on this machine: a responder with fixed replies and no
// parsing, limits, logging or policy, storing each body with the same system calls as ours.mjs
// (open, writev, fsync, close) before its 250, and with fewer thread-pool round trips: open and
// writev on the main thread (ours.mjs makes them in the pool), fsync in the pool, close on the
// main thread. Not an SMTP server: it trusts smtp-source to speak correctly. Plug it in like ours:
//   node smtp/run.mjs --targets smtp-sink,ours --ours smtp/node-floor.mjs
// smtp/node-floor-discard.mjs is the same responder storing nothing.
import { closeSync, fsync, mkdirSync, openSync, writevSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

const END_OF_DATA = '\r\n.\r\n';

/** Starts the responder; `store(chunks, done)` keeps a body and calls done(error?) when it may answer 250. */
export async function startFloor({ host, port }, store) {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let inData = false;
    let lines = '';
    let body = [];
    let tail = ''; // the body's last five characters, to see the end of data across chunks
    socket.on('error', () => {});
    socket.write('220 floor ESMTP\r\n');
    socket.on('data', (chunk) => {
      if (inData) {
        body.push(chunk);
        tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - END_OF_DATA.length))).slice(-END_OF_DATA.length);
        if (tail !== END_OF_DATA) return;
        inData = false;
        tail = '';
        const chunks = body;
        body = [];
        socket.pause();
        store(chunks, (error) => {
          if (error) return void socket.end(`451 4.3.0 ${error.message}\r\n`);
          socket.write('250 2.0.0 Ok\r\n');
          socket.resume();
        });
        return;
      }
      lines += chunk.toString('latin1');
      let replies = '';
      for (let end = lines.indexOf('\n'); end >= 0; end = lines.indexOf('\n')) {
        const verb = lines.slice(0, 4).toUpperCase();
        lines = lines.slice(end + 1);
        if (verb === 'EHLO') replies += '250-floor\r\n250-PIPELINING\r\n250 8BITMIME\r\n';
        else if (verb === 'QUIT') return void socket.end(`${replies}221 Bye\r\n`);
        else if (verb === 'DATA') {
          replies += '354 go ahead\r\n';
          inData = true;
          break; // smtp-source sends the body only after the 354
        } else replies += '250 2.1.0 Ok\r\n';
      }
      if (replies) socket.write(replies);
    });
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  return { port: server.address().port, stop: () => new Promise((resolve) => server.close(resolve)) };
}

/** Starts the responder storing each body in its own file under `dir`, fsync()ed before 250. */
export function start(options) {
  mkdirSync(options.dir, { recursive: true });
  const prefix = `${Date.now().toString(36)}.${process.pid}.`;
  let seq = 0;
  return startFloor(options, (chunks, done) => {
    const fd = openSync(join(options.dir, `${prefix}${++seq}`), 'wx');
    writevSync(fd, chunks);
    fsync(fd, (error) => {
      closeSync(fd);
      done(error);
    });
  });
}
