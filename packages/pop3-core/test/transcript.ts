// Loader for test/fixtures/transcripts/*.txt (STYLE.md §8): "S:"/"C:" lines stored with LF (the
// CRLF is added here), "#" comments, "# key: value" directives, and "Mn:" lines giving the content
// of message n of the maildrop (CRLF line ends).
import { readFileSync } from 'node:fs';

export interface Step {
  dir: 'S' | 'C';
  text: string;
}

export interface Exchange {
  /** The client line, or undefined for the greeting. */
  client: string | undefined;
  /** The server lines that answer it (possibly none, e.g. inside a SASL exchange). */
  server: string[];
}

export interface Transcript {
  directives: Map<string, string>;
  messages: string[];
  exchanges: Exchange[];
}

const DIRECTIVES = new Set(['timestamp', 'secret', 'uidl', 'deleted', 'tls']);

export function loadTranscript(path: string): Transcript {
  const directives = new Map<string, string>();
  const messageLines = new Map<number, string[]>();
  const exchanges: Exchange[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const directive = /^# ([a-z]+):(?: (.*))?$/.exec(line);
    const message = /^M([0-9]+):(?: (.*))?$/.exec(line);
    const step = /^([SC]):(?: (.*))?$/.exec(line);
    if (directive && DIRECTIVES.has(directive[1]!)) directives.set(directive[1]!, directive[2] ?? '');
    else if (message) {
      const n = Number(message[1]);
      messageLines.set(n, [...(messageLines.get(n) ?? []), message[2] ?? '']);
    } else if (step?.[1] === 'C') exchanges.push({ client: step[2] ?? '', server: [] });
    else if (step) {
      if (exchanges.length === 0) exchanges.push({ client: undefined, server: [] });
      exchanges[exchanges.length - 1]!.server.push(step[2] ?? '');
    } else if (line !== '' && !line.startsWith('#')) throw new Error(`${path}: cannot read ${JSON.stringify(line)}`);
  }
  const messages = [...messageLines.keys()].sort((a, b) => a - b).map((n) => messageLines.get(n)!.map((l) => `${l}\r\n`).join(''));
  return { directives, messages, exchanges };
}

export const wire = (lines: readonly string[]): string => lines.map((l) => `${l}\r\n`).join('');
