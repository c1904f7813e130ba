/**
 * `mailstack sendmail [-t] [-i] [-f FROM] [RCPT...]`: /usr/sbin/sendmail for the local system
 * (sendmail(1) as Postfix implements it). The message goes into `<dataDir>/queue/maildrop/` by
 * write, fsync and rename (Postfix's postdrop), so it works whether `serve` runs or not; the
 * server's queue manager picks it up. Exit 0 once it is durably there, 75 (EX_TEMPFAIL) if not.
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { type HeaderField, formatAddress, formatDate } from '@mailstack/mime';
import { writeMaildrop } from '@mailstack/mta';
import { resolveConfig } from '../config/resolve.js';
import { usageError } from './args.js';
import type { Command } from './command.js';
import type { CliContext } from './context.js';
import { CliError } from './errors.js';
import { headerRecipients, readSubmission } from './submission.js';

/** The flags of one sendmail invocation. */
export interface SendmailArgs {
  config: string | undefined;
  /** -t: recipients from the header (added to the command-line ones, as Postfix does). */
  extract: boolean;
  /** -i / -oi: a lone "." is an ordinary line. */
  ignoreDots: boolean;
  /** -f / -r: the envelope sender; '' for the null sender "<>". */
  sender: string | undefined;
  /** -F: the sender's full name, for an added From field. */
  fullName: string | undefined;
  recipients: string[];
}

// Accepted for compatibility and ignored (sendmail(8)): -oem/-oee/-oep/-oeq/-oew (error
// reporting), -odi/-odb/-odq (delivery mode: we always queue), -bm (deliver mail, the default),
// -v (verbose), -oXXX other sendmail.cf options, -N (DSN notify), -B TYPE, -R RET, -V ENVID.
const IGNORED_WITH_VALUE = new Set(['-N', '-B', '-R', '-V', '-X', '-C', '-L', '-O']);
const IGNORED_FLAGS = /^-(o[a-zA-Z].*|d[bqi]|bm|v|U|m|n)$/;

const HELP = `Usage: mailstack sendmail [-t] [-i] [-f FROM] [-c FILE] [RCPT...]

Reads one message on standard input and queues it for the local mail system (also while
mailstack serve is not running: the server picks it up when it starts).

  -t         recipients also from the To, Cc and Bcc fields (Resent-To/Cc/Bcc when the
             message has Resent- fields); Bcc fields are removed from the message
  -i, -oi    a line holding only "." is an ordinary line (otherwise it ends the message)
  -f FROM    envelope sender (default: the invoking user @ the host name); -f "<>" for none
  -r FROM    same as -f
  -F NAME    the sender's full name, for a From field added when the message has none
  -c FILE    config file (default $MAILSTACK_CONFIG, ./mailstack.yaml, embedded default)
  --help, --version

Accepted and ignored: -oem -oee -odi -odb -bm -v -N DSN -B TYPE and other -oX options.
A recipient without "@" gets "@" and the host name. A message without From, Date or
Message-ID gets them (as Postfix does). Exit status: 0 queued, 64 usage,
75 could not be queued (try again later), 78 config error.
`;

/** The sendmail command. */
export const sendmailCommand: Command = {
  name: 'sendmail',
  summary: 'queue a message from standard input (/usr/sbin/sendmail)',
  help: HELP,
  async run(argv, context) {
    await sendmail(parseSendmailArgs(argv), context);
  },
};

/** Parse sendmail(1) flags; an unknown flag is a usage error. */
export function parseSendmailArgs(argv: readonly string[]): SendmailArgs {
  const args: SendmailArgs = { config: undefined, extract: false, ignoreDots: false, sender: undefined, fullName: undefined, recipients: [] };
  const valueOf = (flag: string, index: number): string => {
    const arg = argv[index]!;
    if (arg.length > flag.length) return arg.slice(flag.length); // -fFROM
    const value = argv[index + 1];
    if (value === undefined) throw usageError('sendmail', `option ${flag} needs a value`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const flag = arg.slice(0, 2);
    if (arg === '--') {
      args.recipients.push(...argv.slice(i + 1));
      break;
    } else if (!arg.startsWith('-') || arg === '-') {
      args.recipients.push(arg);
    } else if (arg === '-t') {
      args.extract = true;
    } else if (arg === '-i' || arg === '-oi') {
      args.ignoreDots = true;
    } else if (flag === '-f' || flag === '-r' || flag === '-c' || flag === '-F' || IGNORED_WITH_VALUE.has(flag)) {
      const value = valueOf(flag, i);
      if (arg.length === 2) i++;
      if (flag === '-c') args.config = value;
      else if (flag === '-f' || flag === '-r') args.sender = value;
      else if (flag === '-F') args.fullName = value;
    } else if (arg.startsWith('--config')) {
      args.config = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : valueOf('--config', i);
      if (!arg.includes('=')) i++;
    } else if (!IGNORED_FLAGS.test(arg)) {
      throw usageError('sendmail', `unknown option ${arg}`);
    }
  }
  return args;
}

/** Queue one message from standard input into the maildrop; resolves with its queue id. */
export async function sendmail(args: SendmailArgs, context: CliContext): Promise<string> {
  const config = await resolveConfig({ flagPath: args.config, env: context.env, cwd: context.cwd });
  const qualify = (raw: string, role: string): string => qualifyAddress(raw, config.hostname, role);
  const sender = args.sender === undefined ? qualify(invokingUser(context), 'sender') : qualify(args.sender, 'sender');
  const recipients = args.recipients.map((r) => qualify(r, 'recipient'));
  if (!args.extract && recipients.length === 0) throw usageError('sendmail', 'no recipients (give them as arguments, or use -t)');
  try {
    const now = Date.now();
    const addFields = missingFields(sender, args.fullName, config.hostname, now);
    const prepend = [receivedField(config.hostname, now)];
    const submission = await readSubmission(context.stdin, { dotEnds: !args.ignoreDots, stripBcc: args.extract, addFields, prepend });
    if (args.extract) recipients.push(...headerRecipients(submission.fields).map((r) => qualify(r, 'recipient')));
    if (recipients.length === 0) throw new CliError('usage', 'mailstack sendmail: no recipient addresses found in the message header');
    return await writeMaildrop(config.dataDir, { sender, recipients: unique(recipients), client: { protocol: 'local' } }, submission.message);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError('tempfail', `mailstack sendmail: message not queued: ${describe(error)}`, { cause: error });
  }
}

/**
 * Postfix cleanup(8) for local submissions: a message without From, Date or Message-ID gets them
 * (RFC 5322 §3.6: Date and From are required, Message-ID should be there). A message being resent
 * (it has Resent- fields, §3.6.6) gets Resent-From/Date/Message-ID instead.
 */
export function missingFields(sender: string, fullName: string | undefined, hostname: string, now: number): (fields: readonly HeaderField[]) => string[] {
  return (fields) => {
    const present = new Set(fields.map((field) => field.name.toLowerCase()));
    const prefix = [...present].some((name) => name.startsWith('resent-')) ? 'Resent-' : '';
    const lacks = (name: string): boolean => !present.has(`${prefix}${name}`.toLowerCase());
    const date = new Date(now);
    const added: string[] = [];
    if (lacks('From') && sender !== '') added.push(`${prefix}From: ${fromValue(sender, fullName)}`);
    if (lacks('Date')) added.push(`${prefix}Date: ${formatDate(date, -date.getTimezoneOffset())}`);
    if (lacks('Message-ID')) added.push(`${prefix}Message-ID: <${messageIdLocalPart(date)}@${hostname}>`);
    return added;
  };
}

/**
 * The trace field of a local submission, in the form of Postfix's pickup(8):
 * `Received: by HOST (mailstack, from userid UID); DATE` (RFC 5321 §4.4, RFC 5322 §3.6.7).
 */
export function receivedField(hostname: string, now: number): string {
  const date = new Date(now);
  const uid = typeof process.getuid === 'function' ? `, from userid ${process.getuid()}` : '';
  return `Received: by ${hostname} (mailstack${uid}); ${formatDate(date, -date.getTimezoneOffset())}`;
}

function fromValue(sender: string, fullName: string | undefined): string {
  try {
    return formatAddress({ name: fullName ?? '', address: sender });
  } catch {
    return sender; // not formattable as a mailbox (e.g. an odd domain): as given
  }
}

// Postfix's form: YYYYMMDDhhmmss.RANDOM (UTC), unique without coordination.
function messageIdLocalPart(date: Date): string {
  const stamp = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}.${randomBytes(8).toString('hex').toUpperCase()}`;
}

// The login name: $USER/$LOGNAME as sendmail does, else the password database.
function invokingUser(context: CliContext): string {
  return context.env['USER'] || context.env['LOGNAME'] || userInfo().username;
}

// "<a@b>" → "a@b"; "<>" → "" (null sender only); "bob" → "bob@HOSTNAME" (Postfix append_at_myorigin).
function qualifyAddress(raw: string, hostname: string, role: string): string {
  const address = raw.trim().replace(/^<(.*)>$/, '$1');
  if (address === '' && role === 'sender') return '';
  // RFC 5321 §4.1.2: a path carries no CR, LF, NUL or white space outside quotes.
  if (address === '' || /[\s\0]/.test(address)) throw usageError('sendmail', `bad ${role} address "${raw}"`);
  return address.includes('@') ? address : `${address}@${hostname}`;
}

function unique(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  return addresses.filter((address) => {
    const key = address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describe(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return error instanceof Error ? `${error.message}${cause}` : String(error);
}
