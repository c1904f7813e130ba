/**
 * Our SASL server mechanisms against independent clients: Python's smtplib (PLAIN, LOGIN with
 * its user-name initial response, CRAM-MD5) and curl (OAUTHBEARER), through the smallest SMTP
 * AUTH responder (RFC 4954) written here, backed by a UserDirectory.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSaslServer, parseMechanismName, type CredentialLookup, type SaslServerExchange } from '@mailstack/sasl';
import { UserDirectory, hashPassword } from 'mailstack';

const run = promisify(execFile);
let dir: string;
let server: Server;
let port: number;
const tokens: string[] = [];

function serve(lookup: CredentialLookup) {
  return (socket: Socket) => {
    let buffer = '';
    let exchange: SaslServerExchange | undefined;
    const reply = (text: string) => socket.write(`${text}\r\n`);
    const answer = async (step: Awaited<ReturnType<SaslServerExchange['step']>>) => {
      if (step.type === 'challenge') return reply(`334 ${Buffer.from(step.data).toString('base64')}`);
      exchange = undefined;
      reply(step.type === 'success' ? `235 2.7.0 Authenticated as ${step.authzid}` : '535 5.7.8 Authentication credentials invalid');
    };
    const handle = async (line: string) => {
      if (exchange) return answer(line === '*' ? { type: 'failure', reason: 'malformed', detail: 'cancelled' } : await exchange.step(Buffer.from(line, 'base64')));
      const [verb = '', mechanism = '', initial] = line.split(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO':
          return reply('250-localhost\r\n250 AUTH PLAIN LOGIN CRAM-MD5 OAUTHBEARER');
        case 'AUTH': {
          const name = parseMechanismName(mechanism);
          if (!name) return reply('504 5.5.4 Unrecognized authentication type');
          exchange = createSaslServer(name, { lookup, hostname: 'localhost', nonce: 'interop', now: Date.now() });
          return answer(await exchange.start(initial === undefined ? undefined : initial === '=' ? new Uint8Array(0) : Buffer.from(initial, 'base64')));
        }
        case 'MAIL':
        case 'RCPT':
        case 'RSET':
          return reply('250 2.0.0 OK');
        case 'DATA':
          return reply('354 go ahead');
        case 'QUIT':
          reply('221 2.0.0 Bye');
          return socket.end();
        default:
          return reply(line === '.' ? '250 2.0.0 OK' : '500 5.5.2 unknown');
      }
    };
    let inData = false;
    let queue = Promise.resolve();
    reply('220 localhost ESMTP test');
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData && line !== '.') continue;
        if (/^DATA$/i.test(line)) inData = true;
        else if (line === '.') inData = false;
        queue = queue.then(async () => {
          await handle(line);
        });
      }
    });
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailstack-sasl-interop-'));
  await writeFile(
    join(dir, 'users'),
    `alice:{PLAIN}wonder land\ncram:${hashPassword('c', 'CRAM-MD5')}\ncrypt:${hashPassword('s3cret', 'SHA512-CRYPT')}\n`,
  );
  const users = await UserDirectory.open({ file: join(dir, 'users'), domains: ['example.test'], dataDir: dir });
  const lookup: CredentialLookup = {
    verifyPassword: (u, p) => users.verifyPassword(u, p),
    getCramSecret: (u) => users.getCramSecret(u),
    authorize: (a, z) => users.authorize(a, z),
    async validateBearerToken(request) {
      tokens.push(request.token);
      return request.token === 'good-token' ? { valid: true, authcid: 'alice' } : { valid: false, status: 'invalid_token' };
    },
  };
  server = createServer(serve(lookup)).listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

const SMTPLIB = `
import smtplib, sys
mech, user, password = sys.argv[2:5]
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=10)
s.ehlo()
s.user, s.password = user, password
try:
    code, text = s.auth(mech, getattr(s, 'auth_' + mech.lower().replace('-', '_')))
except smtplib.SMTPAuthenticationError as e:
    code, text = e.smtp_code, e.smtp_error
print(code, text.decode())
s.quit()
`;

async function smtplib(mechanism: string, user: string, password: string): Promise<string> {
  try {
    return (await run('python3', ['-c', SMTPLIB, String(port), mechanism, user, password])).stdout.trim();
  } catch (error) {
    throw new Error('python3 smtplib failed or is missing; install it with: apt-get install python3', { cause: error });
  }
}

describe('our SASL server with Python smtplib as the client', () => {
  it.each([
    ['PLAIN', 'alice', 'wonder land', '235 2.7.0 Authenticated as alice'],
    ['PLAIN', 'crypt@example.test', 's3cret', '235 2.7.0 Authenticated as crypt@example.test'],
    ['LOGIN', 'alice', 'wonder land', '235 2.7.0 Authenticated as alice'],
    ['LOGIN', 'crypt', 's3cret', '235 2.7.0 Authenticated as crypt'],
    ['CRAM-MD5', 'alice', 'wonder land', '235 2.7.0 Authenticated as alice'],
    ['CRAM-MD5', 'cram', 'c', '235 2.7.0 Authenticated as cram'],
    ['CRAM-MD5', 'crypt', 's3cret', '535 5.7.8 Authentication credentials invalid'],
    ['PLAIN', 'alice', 'wrong', '535 5.7.8 Authentication credentials invalid'],
  ])('%s as %s', async (mechanism, user, password, expected) => {
    expect(await smtplib(mechanism, user, password)).toBe(expected);
  });
});

describe('our OAUTHBEARER server with curl as the client', () => {
  it.each([
    ['good-token', 0],
    ['bad-token', 67], // CURLE_LOGIN_DENIED
  ])('token %s', async (token, exitCode) => {
    const args = ['-sS', `smtp://127.0.0.1:${port}`, '--mail-from', 'alice@example.test', '--mail-rcpt', 'bob@example.test'];
    args.push('--login-options', 'AUTH=OAUTHBEARER', '--oauth2-bearer', token, '-u', 'alice:', '-T', '-');
    const child = execFile('curl', args);
    child.stdin?.end('Subject: hi\r\n\r\nhello\r\n');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(exitCode);
    expect(tokens).toContain(token);
  });
});
