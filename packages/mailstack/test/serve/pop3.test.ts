// serve starts the POP3 listener of the config: a message received by SMTP is read back with
// Python's poplib, byte for byte (CRLF on the wire), trace fields first.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWithSmtplib, startTestServer, type TestServer } from './harness.js';

const run = promisify(execFile);
const BODY = 'From: alice@example.test\r\nTo: bob@example.test\r\nSubject: pop me\r\n\r\nhello\r\n.dot\r\n';

const POPLIB = `
import json, poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=20)
p.user('bob'); p.pass_('hunter2')
count, size = p.stat()
lines = p.retr(1)[1]
p.quit()
print(json.dumps({'count': count, 'size': size, 'lines': [l.decode('utf-8') for l in lines]}))
`;

describe('serve: POP3', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ listen: 'listen:\n  smtp: 127.0.0.1:0\n  pop3: 127.0.0.1:0' });
  });
  afterAll(() => t.close());

  it('serves the delivered message to poplib', async () => {
    expect((await sendWithSmtplib({ port: t.port('smtp'), from: 'alice@example.test', to: ['bob@example.test'], body: BODY })).ok).toBe(true);
    const [file] = await t.waitForMail('bob', 1);
    const { stdout } = await run('python3', ['-c', POPLIB, String(t.port('pop3'))], { timeout: 30_000 });
    const got = JSON.parse(stdout) as { count: number; size: number; lines: string[] };
    expect(got.count).toBe(1);
    expect(got.size).toBe(file!.toString('utf8').replace(/\n/g, '\r\n').length);
    expect(got.lines.slice(0, 2)).toEqual(['Return-Path: <alice@example.test>', 'Delivered-To: bob@example.test']);
    expect(got.lines.slice(-6).join('\r\n') + '\r\n').toBe(BODY); // poplib undoes the dot-stuffing
  });
});
