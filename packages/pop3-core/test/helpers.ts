import type { Maildrop, Pop3ServerEvent, Pop3ServerSession } from '@mailstack/pop3-core';

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** A maildrop of messages with the given contents (CRLF line ends) and uidl `u<n>`. */
export function maildropOf(contents: readonly string[]): Maildrop {
  return { messages: contents.map((c, i) => ({ sizeBytes: bytes(c).length, uidl: `u${i + 1}` })) };
}

/** Feeds `input` and returns the next event. */
export function command(server: Pop3ServerSession, input: string): Pop3ServerEvent {
  server.receive(bytes(input));
  return server.nextEvent();
}

/** Sends the event's suggested reply and returns the wire text. */
export function accept(server: Pop3ServerSession, event: Pop3ServerEvent): string {
  if (!('reply' in event)) throw new Error(`event ${event.type} has no suggested reply`);
  return latin1(server.send(event.reply));
}

/** A server past the greeting, in TRANSACTION with `contents` as its maildrop. */
export function loggedInServer(server: Pop3ServerSession, contents: readonly string[]): void {
  accept(server, server.nextEvent());
  accept(server, command(server, 'USER alice\r\n'));
  const pass = command(server, 'PASS secret\r\n');
  if (pass.type !== 'pass') throw new Error(`expected pass, got ${pass.type}`);
  server.send({ type: 'login-ok', maildrop: maildropOf(contents) });
}
