/**
 * Transcript loader (STYLE.md §8): `S:`/`C:` lines stored with LF, CRLF added here; `#!` gives the
 * server options as JSON ("Infinity" allowed for numbers); `!: tls {patch}` marks a completed TLS
 * handshake; `E:` lines list the expected server events in order (see `summarize`).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { decodeReply, formatPath, type Reply, type SmtpServerEvent, type SmtpServerExtensions, type SmtpServerOptions } from '@mailstack/smtp-core';

export type Step =
  | { readonly kind: 'client'; readonly bytes: Uint8Array; readonly lines: readonly string[] }
  | { readonly kind: 'server'; readonly replies: readonly { readonly raw: Uint8Array; readonly reply: Reply }[] }
  | { readonly kind: 'tls'; readonly patch: Partial<SmtpServerExtensions> };

export interface Transcript {
  readonly name: string;
  readonly options: SmtpServerOptions;
  readonly steps: readonly Step[];
  readonly events: readonly string[];
}

const enc = new TextEncoder();
const dir = new URL('../fixtures/transcripts/', import.meta.url);

function splitReplies(bytes: Uint8Array): { raw: Uint8Array; reply: Reply }[] {
  const out: { raw: Uint8Array; reply: Reply }[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const r = decodeReply(rest);
    if (!r.ok) throw new Error(`bad S: lines: ${'error' in r ? r.error : 'incomplete'}`);
    out.push({ raw: rest.subarray(0, r.consumed), reply: r.value });
    rest = rest.subarray(r.consumed);
  }
  return out;
}

export function parseTranscript(name: string, text: string): Transcript {
  let options: SmtpServerOptions = { hostname: 'localhost' };
  const steps: Step[] = [];
  const events: string[] = [];
  let group: { kind: 'C' | 'S'; lines: string[] } | undefined;
  const flush = (): void => {
    if (group === undefined) return;
    const bytes = enc.encode(group.lines.map((l) => `${l}\r\n`).join(''));
    steps.push(group.kind === 'C' ? { kind: 'client', bytes, lines: group.lines } : { kind: 'server', replies: splitReplies(bytes) });
    group = undefined;
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#!')) {
      options = JSON.parse(line.slice(2), (_k, v: unknown) => (v === 'Infinity' ? Infinity : v)) as SmtpServerOptions;
      continue;
    }
    if (line.startsWith('#')) continue;
    const tag = line.slice(0, 2);
    const body = line.length > 3 ? line.slice(3) : '';
    if (tag === 'C:' || tag === 'S:') {
      const kind = tag[0] as 'C' | 'S';
      if (group?.kind !== kind) flush();
      group ??= { kind, lines: [] };
      group.lines.push(body);
    } else if (tag === 'E:') {
      flush();
      events.push(body);
    } else if (line.startsWith('!: tls')) {
      flush();
      steps.push({ kind: 'tls', patch: JSON.parse(line.slice(6)) as Partial<SmtpServerExtensions> });
    } else {
      throw new Error(`${name}: unknown line ${JSON.stringify(line)}`);
    }
  }
  flush();
  return { name, options, steps, events };
}

export function loadTranscripts(): Transcript[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => parseTranscript(f, readFileSync(new URL(f, dir), 'utf8')));
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** One line per event; consecutive data chunks are merged into one `data "..."` line. */
export function summarize(events: readonly SmtpServerEvent[]): string[] {
  const out: string[] = [];
  let data: string | undefined;
  for (const ev of events) {
    if (ev.type === 'data-chunk') {
      data = (data ?? '') + text(ev.bytes);
      continue;
    }
    if (data !== undefined) out.push(`data ${JSON.stringify(data)}`);
    data = undefined;
    out.push(summarizeOne(ev));
  }
  if (data !== undefined) out.push(`data ${JSON.stringify(data)}`);
  return out;
}

function summarizeOne(ev: Exclude<SmtpServerEvent, { type: 'data-chunk' }>): string {
  switch (ev.type) {
    case 'command': {
      const c = ev.command;
      if (c.verb === 'EHLO' || c.verb === 'HELO') return `command ${c.verb} ${c.domain}`;
      if (c.verb === 'MAIL') return `command MAIL ${formatPath(c.reversePath)}`;
      if (c.verb === 'RCPT') return `command RCPT ${formatPath(c.forwardPath)}`;
      if (c.verb === 'AUTH') {
        return c.initialResponse === undefined ? `command AUTH ${c.mechanism}` : `command AUTH ${c.mechanism} ${JSON.stringify(text(c.initialResponse))}`;
      }
      return `command ${c.verb}`;
    }
    case 'auth-response':
      return ev.cancelled ? 'auth-response cancelled' : `auth-response ${JSON.stringify(text(ev.response))}`;
    case 'data-end':
      return `data-end ${ev.sizeBytes} ${ev.last ? 'last' : 'more'}`;
    case 'rejected':
      return `rejected ${ev.code}`;
    case 'aborted':
      return `aborted ${ev.reason}`;
    default:
      return ev.type;
  }
}
