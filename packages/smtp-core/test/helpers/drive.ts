/** A scripted application for server-core tests: answers events, records what happened. */
import { SmtpServerSession, expectsReply, type Reply, type SmtpServerEvent, type SmtpServerOptions } from '@mailstack/smtp-core';

export const enc = new TextEncoder();
export const dec = new TextDecoder();

/** Default answers, as a permissive mail server would give them. */
export function accept(ev: SmtpServerEvent): Reply {
  switch (ev.type) {
    case 'greeting':
      return { code: 220, text: 'mx.test ESMTP' };
    case 'command':
      switch (ev.command.verb) {
        case 'EHLO':
        case 'HELO':
          return { code: 250, text: 'mx.test' };
        case 'DATA':
          return { code: 354, text: 'End data with <CR><LF>.<CR><LF>' };
        case 'QUIT':
          return { code: 221, text: 'Bye' };
        case 'STARTTLS':
          return { code: 220, text: 'Ready to start TLS' };
        case 'AUTH':
          return { code: 334, text: '' };
        case 'VRFY':
          return { code: 252, text: 'Cannot VRFY user' };
        case 'HELP':
          return { code: 214, text: 'See RFC 5321' };
        default:
          return { code: 250, text: 'Ok' };
      }
    case 'auth-response':
      return ev.cancelled ? ev.reply : { code: 235, enhanced: '2.7.0', text: 'Authentication successful' };
    case 'data-end':
      return { code: 250, text: `Ok: ${ev.sizeBytes} octets, ${ev.last ? 'queued' : 'received'}` };
    case 'rejected':
    case 'timed-out':
      return ev.reply;
    default:
      throw new Error(`no reply for ${ev.type}`);
  }
}

export interface Run {
  readonly session: SmtpServerSession;
  readonly events: SmtpServerEvent[];
  /** Every reply written, one string per send(). */
  readonly wire: string[];
  /** Body bytes received, as text. */
  body(): string;
  /** Feed bytes (or text) and answer every event. */
  feed(input: string | Uint8Array): void;
  eof(): void;
}

/** A session plus a pump that answers with `answer` (default `accept`). */
export function run(options: Partial<SmtpServerOptions> = {}, answer: (ev: SmtpServerEvent) => Reply = accept): Run {
  const session = new SmtpServerSession({ hostname: 'mx.test', ...options });
  const events: SmtpServerEvent[] = [];
  const wire: string[] = [];
  const chunks: Uint8Array[] = [];
  const pump = (): void => {
    for (let ev = session.nextEvent(); ev.type !== 'need-data'; ev = session.nextEvent()) {
      events.push(ev);
      if (ev.type === 'closed') return;
      if (ev.type === 'data-chunk') chunks.push(ev.bytes.slice());
      if (expectsReply(ev)) wire.push(dec.decode(session.send(answer(ev))));
    }
  };
  return {
    session,
    events,
    wire,
    body: () => chunks.map((c) => dec.decode(c)).join(''),
    feed(input) {
      session.receive(typeof input === 'string' ? enc.encode(input) : input);
      pump();
    },
    eof() {
      session.receiveEof();
      pump();
    },
  };
}

/** A session that has been greeted with 220 and EHLO. */
export function greeted(options: Partial<SmtpServerOptions> = {}, answer?: (ev: SmtpServerEvent) => Reply): Run {
  const r = run(options, answer);
  r.feed(new Uint8Array(0));
  r.feed('EHLO client.test\r\n');
  r.wire.length = 0;
  r.events.length = 0;
  return r;
}

/** The reply codes (first line's code + enhanced code) of each reply written. */
export const codes = (wire: readonly string[]): string[] =>
  wire.map((w) => {
    const m = /^(\d{3})[ -](?:(\d\.\d{1,3}\.\d{1,3}) )?/.exec(w);
    return m ? (m[2] ? `${m[1]} ${m[2]}` : (m[1] ?? '')) : w;
  });
