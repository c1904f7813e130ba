/**
 * `mailstack sendmail [-t] [-i] [-f FROM] [RCPT...]`: /usr/sbin/sendmail for the local system
 * (sendmail(1) as Postfix implements it). The message goes into `<dataDir>/queue/maildrop/` by
 * write, fsync and rename (Postfix's postdrop), so it works whether `serve` runs or not; the
 * server's queue manager picks it up. Exit 0 once it is durably there, 75 (EX_TEMPFAIL) if not.
 */
import { userInfo } from 'node:os';
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
  recipients: string[];
}

// Accepted for compatibility and ignored (sendmail(8)): -oem/-oee/-oep/-oeq/-oew (error
// reporting), -odi/-odb/-odq (delivery mode: we always queue), -bm (deliver mail, the default),
// -F NAME (full name), -v (verbose), -oXXX other sendmail.cf options, -N (DSN notify), -B TYPE,
// -R RET, -V ENVID.
const IGNORED_WITH_VALUE = new Set(['-F', '-N', '-B', '-R', '-V', '-X', '-C', '-L', '-O']);
const IGNORED_FLAGS = /^-(o[a-zA-Z].*|d[bqi]|bm|v|U|m|n)$/;

const HELP = `Usage: mailstack sendmail [-t] [-i] [-f FROM] [-c FILE] [RCPT...]

Reads one message on standard input and queues it for the local mail system (also while
mailstack serve is not running: the server picks it up when it starts).

  -t         recipients also from the To, Cc and Bcc fields (Resent-To/Cc/Bcc when the
             message has Resent- fields); Bcc fields are removed from the message
  -i, -oi    a line holding only "." is an ordinary line (otherwise it ends the message)
  -f FROM    envelope sender (default: the invoking user @ the host name); -f "<>" for none
  -r FROM    same as -f
  -c FILE    config file (default $MAILSTACK_CONFIG, ./mailstack.yaml, embedded default)
  --help, --version

Accepted and ignored: -oem -oee -odi -odb -bm -v -F NAME -N DSN -B TYPE and other -oX options.
A recipient without "@" gets "@" and the host name. Exit status: 0 queued, 64 usage,
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
  const args: SendmailArgs = { config: undefined, extract: false, ignoreDots: false, sender: undefined, recipients: [] };
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
    } else if (flag === '-f' || flag === '-r' || flag === '-c' || IGNORED_WITH_VALUE.has(flag)) {
      const value = valueOf(flag, i);
      if (arg.length === 2) i++;
      if (flag === '-c') args.config = value;
      else if (flag === '-f' || flag === '-r') args.sender = value;
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
    const submission = await readSubmission(context.stdin, { dotEnds: !args.ignoreDots, stripBcc: args.extract });
    if (args.extract) recipients.push(...headerRecipients(submission.fields).map((r) => qualify(r, 'recipient')));
    if (recipients.length === 0) throw new CliError('usage', 'mailstack sendmail: no recipient addresses found in the message header');
    return await writeMaildrop(config.dataDir, { sender, recipients: unique(recipients), client: { protocol: 'local' } }, submission.message);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError('tempfail', `mailstack sendmail: message not queued: ${describe(error)}`, { cause: error });
  }
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
