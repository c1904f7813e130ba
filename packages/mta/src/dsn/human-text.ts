/**
 * The human-readable first part of a DSN (RFC 3464 §1: "a human-readable explanation"), worded
 * like Postfix's default bounce templates (bounce(5)) so users and helpdesks recognise it.
 */
import type { DsnAction, DsnRecipient } from './dsn.js';

/** Which notice this is: decided by the most serious action among the recipients. */
export type DsnKind = 'failure' | 'delay' | 'success';

/** The DSN kind for a set of recipient actions: any failure, else any delay, else success. */
export function dsnKind(actions: readonly DsnAction[]): DsnKind {
  if (actions.includes('failed')) return 'failure';
  if (actions.includes('delayed')) return 'delay';
  return 'success';
}

/** The Subject Postfix uses for each kind. */
export const DSN_SUBJECT: Record<DsnKind, string> = {
  failure: 'Undelivered Mail Returned to Sender',
  delay: 'Delayed Mail (still being retried)',
  success: 'Successful Mail Delivery Report',
};

const HELP = [
  'For further assistance, please send mail to postmaster.',
  '',
  'If you do so, please include this problem report. You can',
  'delete your own text from the attached returned message.',
];
const SIGNATURE = '                   The mail system';

/** What the text needs to say. */
export interface HumanTextInput {
  kind: DsnKind;
  reportingMta: string;
  recipients: readonly DsnRecipient[];
  arrivalDate?: Date;
  now: Date;
}

/** The explanation as lines of US-ASCII text (no line ends). */
export function humanText(input: HumanTextInput): string[] {
  const lines = [`This is the mail system at host ${input.reportingMta}.`, ''];
  switch (input.kind) {
    case 'failure':
      lines.push(
        "I'm sorry to have to inform you that your message could not",
        "be delivered to one or more recipients. It's attached below.",
        '',
        ...HELP,
      );
      break;
    case 'delay': {
      lines.push(
        '####################################################################',
        '# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #',
        '####################################################################',
        '',
      );
      const until = input.recipients.find((r) => r.willRetryUntil)?.willRetryUntil;
      if (input.arrivalDate) {
        lines.push(`Your message could not be delivered for ${duration(input.now.getTime() - input.arrivalDate.getTime())}.`);
        if (until) lines.push(`It will be retried until it is ${duration(until.getTime() - input.arrivalDate.getTime())} old.`);
        lines.push('');
      }
      lines.push(...HELP);
      break;
    }
    case 'success':
      lines.push(
        'Your message was successfully delivered to the destination(s)',
        'listed below. If the message was delivered to mailbox you will',
        'receive no further notifications. Otherwise you may still receive',
        'notifications of mail delivery errors from other systems.',
      );
      break;
  }
  lines.push('', SIGNATURE, '');
  for (const r of input.recipients) lines.push(...wrap(`<${r.finalRecipient}>: ${explanation(r)}`), '');
  return lines;
}

function explanation(r: DsnRecipient): string {
  const said = r.diagnosticCode ?? STATUS_TEXT[r.action];
  return r.remoteMta ? `host ${r.remoteMta} said: ${said}` : said;
}

const STATUS_TEXT: Record<DsnAction, string> = {
  failed: 'delivery failed',
  delayed: 'delivery temporarily suspended',
  delivered: 'delivery via local mailbox: delivered',
  relayed: 'delivery via a server without DSN support: relayed',
  expanded: 'delivered to the members of a list or alias: expanded',
};

// Postfix-style duration: "4.0 hours", "5 days", "30 minutes".
function duration(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes < 60) return plural(Math.round(minutes), 'minute');
  const hours = minutes / 60;
  if (hours < 48) return plural(Number(hours.toFixed(1)), 'hour');
  return plural(Number((hours / 24).toFixed(1)), 'day');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

// Lines of at most 76 characters, continuation lines indented by four spaces as Postfix does.
function wrap(text: string): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const indent = out.length > 0 ? '    ' : '';
    if (line !== '' && indent.length + line.length + 1 + word.length > 76) {
      out.push(`${indent}${line}`);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  out.push(`${out.length > 0 ? '    ' : ''}${line}`);
  return out;
}
