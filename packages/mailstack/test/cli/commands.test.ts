// --help/--version of every command, usage and config errors, passwd, and user add/list/delete.
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserDirectory, parseStoredSecret, verifySecret } from 'mailstack';
import { CLI, ensureBuilt, runCli } from './built-cli.js';
import { scratchDir } from '../scratch-dir.js';

const COMMANDS = ['sendmail', 'queue', 'passwd', 'user'];
const tempDir = (): string => scratchDir('mailstack-cli');

beforeAll(ensureBuilt, 300_000);

describe('help, version and usage errors', () => {
  it('mailstack --help lists every command; --version prints the package version', async () => {
    const cwd = tempDir();
    const help = await runCli(['--help'], { cwd });
    expect(help.code).toBe(0);
    for (const name of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const version = await runCli(['--version'], { cwd });
    expect(version).toMatchObject({ code: 0, stdout: `mailstack ${manifest.version}\n` });
  });

  it.each(COMMANDS)('%s --help and --version exit 0', async (name) => {
    const cwd = tempDir();
    const help = await runCli([name, '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`Usage: mailstack ${name}`);
    const version = await runCli([name, '--version'], { cwd });
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^mailstack \d+\.\d+\.\d+\n$/);
  });

  it.each(COMMANDS)('%s with an unknown flag exits 64 with one line', async (name) => {
    const result = await runCli([name, '--no-such-flag'], { cwd: tempDir() });
    expect(result.code).toBe(64);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--no-such-flag');
  });

  it('an unknown command and no command exit 64', async () => {
    const cwd = tempDir();
    expect(await runCli(['frobnicate'], { cwd })).toMatchObject({ code: 64, stderr: 'mailstack: unknown command "frobnicate" (see mailstack --help)\n' });
    expect((await runCli([], { cwd })).code).toBe(64);
  });

  it('a config with an unknown key exits 78 naming file:line and the key', async () => {
    const cwd = tempDir();
    const file = join(cwd, 'bad.yaml');
    writeFileSync(file, 'hostname: mx.example.test\ndataDir: ./data\nlimits:\n  messagesize: 10\n');
    for (const args of [['queue', 'list', '-c', file], ['user', 'list', '-c', file], ['sendmail', '-c', file, 'bob']]) {
      const result = await runCli(args, { cwd });
      expect(result.code).toBe(78);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`${file}:4:`);
      expect(result.stderr).toContain('messagesize');
    }
  });

  it('finds ./mailstack.yaml and $MAILSTACK_CONFIG', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'mailstack.yaml'), 'dataDir: ./here\nbogus: 1\n');
    expect((await runCli(['queue'], { cwd })).stderr).toContain(`${join(cwd, 'mailstack.yaml')}:2:`);
    writeFileSync(join(cwd, 'other.yaml'), 'dataDir: ./there\n');
    const viaEnv = await runCli(['queue'], { cwd, env: { MAILSTACK_CONFIG: join(cwd, 'other.yaml') } });
    expect(viaEnv).toMatchObject({ code: 0, stdout: 'Mail queue is empty\n' });
    expect(statSync(join(cwd, 'there', 'queue')).isDirectory()).toBe(true);
  });
});

describe('passwd', () => {
  it('prints a {SHA512-CRYPT} secret that glibc crypt(3) verifies', async () => {
    const result = await runCli(['passwd'], { cwd: tempDir(), input: 'Tr0ub4dor&3\n' });
    expect(result.code).toBe(0);
    const secret = result.stdout.trimEnd();
    expect(secret).toMatch(/^\{SHA512-CRYPT\}\$6\$[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$/);
    const hash = secret.slice('{SHA512-CRYPT}'.length);
    // Python's crypt module is glibc's crypt(3), the one Dovecot uses for SHA512-CRYPT.
    const check = spawnSync('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], sys.argv[2]) == sys.argv[2])', 'Tr0ub4dor&3', hash], { encoding: 'utf8' });
    expect(check.stdout.trim()).toBe('True');
    const wrong = spawnSync('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], sys.argv[2]) == sys.argv[2])', 'Tr0ub4dor&4', hash], { encoding: 'utf8' });
    expect(wrong.stdout.trim()).toBe('False');
  });

  it('--scheme picks the scheme (any case); an unknown one is a usage error; empty input fails', async () => {
    const cwd = tempDir();
    const ssha = await runCli(['passwd', '--scheme', 'ssha256'], { cwd, input: 'secret\n' });
    const secret = parseStoredSecret(ssha.stdout.trimEnd());
    expect(typeof secret === 'object' && secret.scheme).toBe('SSHA256');
    expect(typeof secret === 'object' && verifySecret(secret, 'secret')).toBe(true);
    expect((await runCli(['passwd', '-s', 'MD5'], { cwd, input: 'x\n' })).code).toBe(64);
    expect(await runCli(['passwd'], { cwd, input: '' })).toMatchObject({ code: 1, stderr: 'empty password\n' });
  });
});

// Drives the CLI on a pseudo-terminal (Python's pty): what it echoes, and its exit status.
function onTerminal(args: readonly string[], keystrokes: readonly string[]): { output: string; status: number } {
  const script = `
import os, pty, select, sys, time, json
args, keys = json.loads(sys.argv[1]), json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
out = b''
def drain(seconds):
    global out
    end = time.time() + seconds
    while time.time() < end:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                out += os.read(fd, 4096)
            except OSError:
                return
for key in keys:
    drain(1.0)
    os.write(fd, key.encode())
drain(2.0)
status = os.waitpid(pid, 0)[1]
print(json.dumps({'output': out.decode('latin1'), 'status': os.waitstatus_to_exitcode(status)}))
`;
  const result = spawnSync('python3', ['-c', script, JSON.stringify([CLI, ...args]), JSON.stringify(keystrokes)], { encoding: 'utf8' });
  return JSON.parse(result.stdout) as { output: string; status: number };
}

describe('password prompt on a terminal', () => {
  it('asks twice without echo, with backspace; a mismatch fails', () => {
    const ok = onTerminal(['passwd', '--scheme', 'PLAIN'], ['abc\x7fd\r', 'abd\r']);
    expect(ok).toEqual({ output: 'Enter new password: \r\nRetype new password: \r\n{PLAIN}abd\r\n', status: 0 });
    const mismatch = onTerminal(['passwd'], ['one\r', 'two\r']);
    expect(mismatch.status).toBe(1);
    expect(mismatch.output).toContain('passwords do not match');
    expect(mismatch.output).not.toMatch(/one|two/);
  });
});

describe('user add/passwd/list/delete', () => {
  it('round trip on the users file, keeping comments; the password verifies', async () => {
    const cwd = tempDir();
    const users = join(cwd, 'users');
    writeFileSync(users, '# staff\nalice:{PLAIN}alicepw::::/srv/alice\n\n');
    chmodSync(users, 0o640);
    writeFileSync(join(cwd, 'mailstack.yaml'), 'dataDir: ./data\nusers: ./users\ndomains: [example.test]\n');
    const added = await runCli(['user', 'add', 'bob', '--password-stdin'], { cwd, input: 'b0b-secret\n' });
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(users, 'utf8')).toMatch(/^# staff\nalice:\{PLAIN\}alicepw::::\/srv\/alice\n\nbob:\{SHA512-CRYPT\}\$6\$[^:\n]+\n$/);
    expect(statSync(users).mode & 0o777).toBe(0o640);

    const directory = await UserDirectory.open({ file: users, domains: ['example.test'], dataDir: join(cwd, 'data') });
    expect(await directory.verifyPassword('bob@example.test', 'b0b-secret')).toBe(true);
    expect(await directory.verifyPassword('bob@example.test', 'b0b-secreT')).toBe(false);

    const list = await runCli(['user', 'list'], { cwd });
    expect(list).toMatchObject({ code: 0, stdout: `alice\tPLAIN\t/srv/alice\nbob\tSHA512-CRYPT\t${join(cwd, 'data', 'home', 'bob')}\n` });

    expect(await runCli(['user', 'add', 'bob', '--password-stdin'], { cwd, input: 'x\n' })).toMatchObject({ code: 1, stderr: `${users}: user bob exists already\n` });
    // passwd replaces the secret only: alice keeps her home.
    expect(await runCli(['user', 'passwd', 'alice', '--password-stdin', '--scheme', 'ssha512'], { cwd, input: 'new-alice\n' })).toMatchObject({ code: 0 });
    expect(readFileSync(users, 'utf8')).toMatch(/^# staff\nalice:\{SSHA512\}[A-Za-z0-9+/=]+::::\/srv\/alice\n\nbob:/);
    expect(await directory.verifyPassword('alice@example.test', 'new-alice')).toBe(true);
    expect(await runCli(['user', 'passwd', 'nobody', '--password-stdin'], { cwd, input: 'x\n' })).toMatchObject({ code: 1, stderr: `${users}: no user nobody\n` });
    expect(await runCli(['user', 'delete', 'alice'], { cwd })).toMatchObject({ code: 0 });
    expect(readFileSync(users, 'utf8')).toMatch(/^# staff\n\nbob:/);
    expect(await runCli(['user', 'delete', 'alice'], { cwd })).toMatchObject({ code: 1, stderr: `${users}: no user alice\n` });
  });

  it('--home and --scheme; bad names and missing arguments are usage errors', async () => {
    const cwd = tempDir();
    const added = await runCli(['user', 'add', 'carol', '--password-stdin', '--scheme', 'CRAM-MD5', '--home', 'homes/carol'], { cwd, input: 'pw\n' });
    expect(added.code).toBe(0);
    const text = readFileSync(join(cwd, 'mailstack-data', 'users'), 'utf8');
    expect(text).toBe(`carol:{CRAM-MD5}${text.split('}')[1]!.slice(0, 64)}::::${join(cwd, 'homes', 'carol')}\n`);
    expect(statSync(join(cwd, 'mailstack-data', 'users')).mode & 0o777).toBe(0o600);
    for (const args of [['user', 'add', '../x', '--password-stdin'], ['user', 'add', 'a+b', '--password-stdin'], ['user', 'add'], ['user'], ['user', 'rename', 'x'], ['user', 'list', '--home', 'x'], ['user', 'passwd', 'carol', '--home', 'x'], ['user', 'delete', 'carol', '--scheme', 'PLAIN']]) {
      expect((await runCli(args, { cwd, input: 'pw\n' })).code, args.join(' ')).toBe(64);
    }
    // Without a terminal and without --password-stdin there is no way to ask.
    expect((await runCli(['user', 'add', 'dave'], { cwd, input: 'pw\n' })).code).toBe(64);
  });
});
