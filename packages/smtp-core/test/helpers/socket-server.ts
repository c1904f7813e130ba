/**
 * Test-only socket driver for interop tests: the STYLE.md §2 pump over node:net, accepting all
 * mail and recording each message. The real adapter lives in the mailstack package.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { SmtpServerSession, expectsReply, type SmtpServerEvent, type SmtpServerOptions } from '@mailstack/smtp-core';
import { accept } from './drive.js';

export interface Received {
  readonly from: string;
  readonly to: string[];
  readonly body: Buffer;
  readonly auth: string | undefined;
}

export interface TestServer {
  readonly port: number;
  readonly messages: Received[];
  close(): Promise<void>;
}

async function serve(socket: Socket, options: SmtpServerOptions, messages: Received[]): Promise<void> {
  const core = new SmtpServerSession(options);
  let chunks: Buffer[] = [];
  let from = '';
  let to: string[] = [];
  const answer = (ev: SmtpServerEvent): void => {
    if (ev.type === 'command' && ev.command.verb === 'MAIL') {
      from = ev.command.reversePath === null ? '' : `${ev.command.reversePath.localPart}@${ev.command.reversePath.domain}`;
      to = [];
      chunks = [];
    }
    if (ev.type === 'command' && ev.command.verb === 'RCPT') to.push(`${ev.command.forwardPath.localPart}@${ev.command.forwardPath.domain}`);
    if (ev.type === 'data-chunk') chunks.push(Buffer.from(ev.bytes));
    if (ev.type === 'data-end' && ev.last) {
      const s = core.state;
      messages.push({ from, to, body: Buffer.concat(chunks), auth: 'ctx' in s ? s.ctx.authenticated : undefined });
    }
  };
  const pump = async (): Promise<boolean> => {
    for (let ev = core.nextEvent(); ev.type !== 'need-data'; ev = core.nextEvent()) {
      if (ev.type === 'closed') return false;
      answer(ev);
      if (expectsReply(ev) && !socket.write(core.send(accept(ev)))) await once(socket, 'drain');
    }
    return true;
  };
  socket.on('error', () => socket.destroy());
  if (!(await pump())) return void socket.end();
  for await (const chunk of socket) {
    core.receive(chunk as Buffer);
    if (!(await pump())) return void socket.end();
  }
  core.receiveEof();
  await pump();
  socket.end();
}

export async function startServer(options: Partial<SmtpServerOptions> = {}): Promise<TestServer> {
  const messages: Received[] = [];
  const server: Server = createServer((socket) => void serve(socket, { hostname: 'mx.test', ...options }, messages));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    messages,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
