/**
 * `mailstack user add|passwd|delete|list`: edit the users file (Dovecot passwd-file, SPEC.md §2) in its
 * format: comments and untouched lines stay byte for byte, and the new file replaces the old one
 * by rename, so a running server never reads half of it.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { hashPassword } from '../auth/schemes.js';
import { UserDirectory } from '../auth/user-directory.js';
import { loadUsersFile, saveUsersFile } from '../auth/users-store.js';
import { resolveConfig } from '../config/resolve.js';
import type { MailstackConfig } from '../config/types.js';
import { CONFIG_OPTION, expectPositionals, parseCommandArgs, usageError } from './args.js';
import type { Command } from './command.js';
import type { CliContext } from './context.js';
import { CliError } from './errors.js';
import { readFirstLine, readNewPassword } from './password-input.js';
import { parseSchemeOption } from './scheme.js';

// A user name is the local part of each of the user's addresses (RFC 5321 §4.5.3.1.1: at most
// 64 octets) and a folder name under dataDir/home: no "/", no leading ".", no "+" (the
// address-extension separator), no "@".
const USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

const HELP = `Usage: mailstack user add NAME [--password-stdin] [--scheme S] [--home DIR] [-c FILE]
       mailstack user passwd NAME [--password-stdin] [--scheme S] [-c FILE]
       mailstack user delete NAME [-c FILE]
       mailstack user list [-c FILE]

Edits the users file of the config (Dovecot passwd-file format; comments are kept).

  add      asks for the password twice on a terminal, or reads the first line of standard
           input with --password-stdin; stores it hashed ({SHA512-CRYPT} unless --scheme)
  passwd   sets a new password the same way; the rest of the user's line is kept
  delete   removes the user's line (their Maildir stays where it is)
  list     one user a line: name, password scheme, home folder

Options:
  -c, --config FILE    config file (default $MAILSTACK_CONFIG, ./mailstack.yaml, embedded default)
      --password-stdin read the password from standard input (add, passwd)
  -s, --scheme S       password scheme (add, passwd), see mailstack passwd --help
      --home DIR       home folder (add; default <dataDir>/home/NAME)
      --help, --version
`;

const OPTIONS = {
  ...CONFIG_OPTION,
  'password-stdin': { type: 'boolean' },
  scheme: { type: 'string', short: 's' },
  home: { type: 'string' },
} as const;

/** The user command and its subcommands. */
export const userCommand: Command = {
  name: 'user',
  summary: 'add, delete or list users, or set a password, in the users file',
  help: HELP,
  async run(argv, context) {
    const { values, positionals } = parseCommandArgs('user', argv, OPTIONS);
    const [action, ...names] = positionals;
    const setsPassword = action === 'add' || action === 'passwd';
    if (!setsPassword && (values['password-stdin'] || values.scheme !== undefined)) {
      throw usageError('user', '--password-stdin and --scheme go with "user add" and "user passwd"');
    }
    if (action !== 'add' && values.home !== undefined) throw usageError('user', '--home goes with "user add"');
    const config = await resolveConfig({ flagPath: values.config, env: context.env, cwd: context.cwd });
    switch (action) {
      case 'add': {
        expectPositionals('user add', names, ['NAME']);
        const scheme = parseSchemeOption('user', values.scheme);
        const home = values.home === undefined ? '' : resolve(context.cwd, values.home);
        const password = await newPassword(values['password-stdin'] === true, context);
        return addUser(config, checkName(names[0]!), hashPassword(password, scheme), home);
      }
      case 'passwd': {
        expectPositionals('user passwd', names, ['NAME']);
        const scheme = parseSchemeOption('user', values.scheme);
        const password = await newPassword(values['password-stdin'] === true, context);
        return setPassword(config, names[0]!, hashPassword(password, scheme));
      }
      case 'delete':
        expectPositionals('user delete', names, ['NAME']);
        return deleteUser(config, names[0]!);
      case 'list':
        expectPositionals('user list', names, []);
        return listUsers(config, context);
      case undefined:
        throw usageError('user', 'missing action (add, passwd, delete or list)');
      default:
        throw usageError('user', `unknown action "${action}" (add, passwd, delete or list)`);
    }
  },
};

function checkName(name: string): string {
  if (!USER_NAME.test(name)) {
    throw usageError('user add', `bad user name "${name}" (letters, digits, ".", "_", "-"; at most 64; not starting with ".")`);
  }
  return name;
}

async function newPassword(fromStdin: boolean, context: CliContext): Promise<string> {
  if (fromStdin) {
    const password = await readFirstLine(context.stdin);
    if (password === '') throw new CliError('failed', 'empty password on standard input');
    return password;
  }
  if (!context.stdin.isTTY) throw usageError('user', 'no terminal to ask for the password: use --password-stdin');
  return readNewPassword(context.stdin, context.stderr);
}

// Add one user to the config's users file (created, with its folder, if missing); fails if the name is taken.
async function addUser(config: MailstackConfig, name: string, secret: string, home: string): Promise<void> {
  await mkdir(dirname(config.users), { recursive: true, mode: 0o700 });
  const users = await loadUsersFile(config.users);
  if (users.find(name)) throw new CliError('failed', `${config.users}: user ${name} exists already`);
  users.set({ name, secret, uid: '', gid: '', gecos: '', home, shell: '', extra: '' });
  await saveUsersFile(users);
}

async function setPassword(config: MailstackConfig, name: string, secret: string): Promise<void> {
  const users = await loadUsersFile(config.users);
  const entry = users.find(name);
  if (!entry) throw new CliError('failed', `${config.users}: no user ${name}`);
  users.set({ ...entry, secret });
  await saveUsersFile(users);
}

async function deleteUser(config: MailstackConfig, name: string): Promise<void> {
  const users = await loadUsersFile(config.users);
  if (!users.delete(name)) throw new CliError('failed', `${config.users}: no user ${name}`);
  await saveUsersFile(users);
}

async function listUsers(config: MailstackConfig, context: CliContext): Promise<void> {
  const directory = await UserDirectory.open({ file: config.users, domains: config.domains, dataDir: config.dataDir });
  for (const user of await directory.list()) context.stdout.write(`${user.name}\t${user.secret.scheme}\t${user.home}\n`);
}
