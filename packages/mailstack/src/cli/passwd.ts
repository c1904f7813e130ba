/** `mailstack passwd [--scheme S]`: doveadm pw — read a password, print its passwd-file secret. */
import { hashPassword } from '../auth/schemes.js';
import { expectPositionals, parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import { readNewPassword } from './password-input.js';
import { DEFAULT_SCHEME, parseSchemeOption } from './scheme.js';

/** The passwd command. */
export const passwdCommand: Command = {
  name: 'passwd',
  summary: 'read a password, print a users-file secret (doveadm pw)',
  help: `Usage: mailstack passwd [--scheme S]

Reads a password (on a terminal: asked twice without echo; otherwise the first line of
standard input) and prints it hashed for the users file, e.g. {SHA512-CRYPT}$6$...

Options:
  -s, --scheme S   ${DEFAULT_SCHEME} (default), SHA256-CRYPT, SSHA512, SSHA256, CRAM-MD5,
                   SCRAM-SHA-256, SCRAM-SHA-1, PLAIN
      --help       this text
      --version    the mailstack version
`,
  async run(argv, context) {
    const { values, positionals } = parseCommandArgs('passwd', argv, { scheme: { type: 'string', short: 's' } });
    expectPositionals('passwd', positionals, []);
    const scheme = parseSchemeOption('passwd', values.scheme);
    const password = await readNewPassword(context.stdin, context.stderr);
    context.stdout.write(`${hashPassword(password, scheme)}\n`);
  },
};
