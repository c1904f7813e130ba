// Real peers against the server core over a 127.0.0.1 socket (test-only driver). A missing peer
// fails with its install command; nothing is skipped.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers/socket-server.js';

function need(tool: string, install: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`]);
  if (r.status !== 0) throw new Error(`${tool} is missing: ${install}`);
}

// Asynchronous on purpose: the server runs in this process's event loop.
const run = async (cmd: string, args: string[], timeout: number): Promise<string> => (await promisify(execFile)(cmd, args, { timeout, encoding: 'utf8' })).stdout;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('interop with real SMTP clients', () => {
  it('Python smtplib: EHLO, AUTH PLAIN, SMTPUTF8, dot-stuffing', async () => {
    need('python3', 'apt-get install -y python3');
    server = await startServer({ extensions: { auth: ['PLAIN', 'LOGIN'] } });
    const script = `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', ${server.port}, timeout=10)
s.ehlo('client.test')
assert s.has_extn('pipelining') and s.has_extn('smtputf8') and s.has_extn('size'), s.esmtp_features
s.login('user', 'secret')
body = "Subject: interop\\r\\n\\r\\n.leading dot\\r\\nline two\\n..two dots\\r\\nbytes: \\u00e9\\r\\n"
s.sendmail('sender@client.test', ['rcpt1@mx.test', 'rcpt2@mx.test'], body.encode('utf-8'))
s.sendmail('jörg@client.test', ['δοκιμή@mx.test'], b'Subject: utf8\\r\\n\\r\\nhi\\r\\n', mail_options=['SMTPUTF8'])
s.quit()
`;
    await run('python3', ['-c', script], 15_000);
    expect(server.messages.map((m) => [m.from, m.to, m.auth])).toEqual([
      ['sender@client.test', ['rcpt1@mx.test', 'rcpt2@mx.test'], 'PLAIN'],
      ['jörg@client.test', ['δοκιμή@mx.test'], 'PLAIN'],
    ]);
    // smtplib sends a bytes body as is (bare LF included) and stuffs dots after LF too.
    expect(server.messages[0]?.body.toString('utf8')).toBe('Subject: interop\r\n\r\n.leading dot\r\nline two\r\n..two dots\r\nbytes: é\r\n');
  });

  it('swaks with PIPELINING', async () => {
    need('swaks', 'apt-get install -y swaks');
    server = await startServer();
    const out = await run(
      'swaks',
      ['--server', `127.0.0.1:${server.port}`, '--pipeline', '--from', 'a@client.test', '--to', 'b@mx.test,c@mx.test', '--helo', 'client.test', '--body', 'first\n.\n.second', '--header', 'Subject: swaks'],
      15_000,
    );
    expect(out).not.toContain('<** '); // swaks marks error replies with <**
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]?.to).toEqual(['b@mx.test', 'c@mx.test']);
    expect(server.messages[0]?.body.toString()).toContain('\r\n\r\nfirst\r\n.\r\n.second\r\n'); // swaks stuffed both dots
  });

  it("Postfix smtp-source: 200 pipelined messages over 4 sessions", async () => {
    need('smtp-source', 'apt-get install -y postfix');
    server = await startServer();
    await run('smtp-source', ['-m', '200', '-s', '4', '-l', '4096', '-f', 'a@client.test', '-t', 'b@mx.test', `127.0.0.1:${server.port}`], 30_000);
    expect(server.messages).toHaveLength(200);
    expect(server.messages.every((m) => m.body.length >= 4096 && m.to[0] === 'b@mx.test')).toBe(true);
  });
});
