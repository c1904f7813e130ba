/**
 * The `mailstack` dispatcher: picks the command, answers --help and --version, and turns every
 * failure into one line on stderr and an exit status (errors.ts).
 */
import { MtaConfigError } from '@mailstack/mta';
import { ConfigError } from '../config/errors.js';
import type { Command } from './command.js';
import type { CliContext } from './context.js';
import { CliError, EXIT_CODES } from './errors.js';
import { passwdCommand } from './passwd.js';
import { queueCommand } from './queue.js';
import { sendmailCommand } from './sendmail.js';
import { serveCommand } from './serve.js';
import { userCommand } from './user.js';
import { packageVersion } from './version.js';

/** The commands, in the order `mailstack --help` lists them. */
export const COMMANDS: readonly Command[] = [serveCommand, sendmailCommand, queueCommand, passwdCommand, userCommand];

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: mailstack COMMAND [OPTIONS]   (mailstack COMMAND --help for each)',
    '',
    'A complete mail system: SMTP, submission, POP3 and a durable queue in one program.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Configuration: -c FILE, else $MAILSTACK_CONFIG, else ./mailstack.yaml, else the embedded',
    'default (data in ./mailstack-data). Exit status: 0 ok, 1 failed, 64 usage, 75 try again',
    'later, 78 configuration error.',
    '',
  ].join('\n');
}

// Flags before "--" only: after it, "--help" could be a recipient or a password.
function hasFlag(argv: readonly string[], flag: string): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes(flag);
}

/** Run `mailstack ARGV...`; resolves with the exit status. */
export async function main(argv: readonly string[], context: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  const print = async (text: string | Promise<string>): Promise<number> => {
    context.stdout.write(await text);
    return EXIT_CODES.ok;
  };
  const version = async (): Promise<string> => `mailstack ${await packageVersion()}\n`;
  if (name === '--help' || name === '-h' || name === 'help') return print(topHelp());
  if (name === '--version' || name === '-V') return print(version());
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const what = name === undefined ? 'missing command' : `unknown command "${name}"`;
    context.stderr.write(`mailstack: ${what} (see mailstack --help)\n`);
    return EXIT_CODES.usage;
  }
  if (hasFlag(rest, '--help')) return print(command.help);
  if (hasFlag(rest, '--version')) return print(version());
  try {
    await command.run(rest, context);
    return EXIT_CODES.ok;
  } catch (error) {
    const [code, message] = describeFailure(command.name, error);
    context.stderr.write(`${message}\n`);
    return EXIT_CODES[code];
  }
}

function describeFailure(command: string, error: unknown): [CliError['code'], string] {
  if (error instanceof CliError) return [error.code, error.message];
  // ConfigError messages are "file:line: detail" already (SPEC.md §1).
  if (error instanceof ConfigError || error instanceof MtaConfigError) return ['config', `mailstack ${command}: ${error.message}`];
  return ['failed', `mailstack ${command}: ${error instanceof Error ? error.message : String(error)}`];
}
