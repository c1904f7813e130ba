import { readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { LineSocket, PeerError, isAlive, makePeerDir, requireCommand, startSmtpSink, type SmtpSink, type SmtpSinkOptions } from './index.js';

const running: SmtpSink[] = [];
afterEach(async () => {
  for (const sink of running.splice(0)) await sink.stop();
});

async function start(options: SmtpSinkOptions): Promise<SmtpSink> {
  const sink = await startSmtpSink(options);
  running.push(sink);
  return sink;
}

async function envelope(client: LineSocket): Promise<number> {
  expect((await client.readSmtpReply()).code).toBe(220);
  expect((await client.smtp('EHLO client.test')).code).toBe(250);
  expect((await client.smtp('MAIL FROM:<a@client.test>')).code).toBe(250);
  return (await client.smtp('RCPT TO:<b@sink.test>')).code;
}

describe('startSmtpSink', () => {
  it('accepts a message over a real socket, dumps it, and stops its pid', async () => {
    const dumpDir = makePeerDir('sink-dump-test');
    const sink = await start({ dumpDir, hostname: 'sink.test' });
    const client = await LineSocket.connect(sink.port);
    expect(await envelope(client)).toBe(250);
    expect((await client.smtp('DATA')).code).toBe(354);
    const reply = await client.smtp('Subject: sink test\r\n\r\nhello sink\r\n.');
    expect(reply.code).toBe(250);
    expect((await client.smtp('QUIT')).code).toBe(221);
    await client.close();
    const files = sink.dumpFiles();
    expect(files).toHaveLength(1);
    const dump = readFileSync(files[0]!, 'utf8');
    expect(dump).toContain('X-Rcpt-Args: <b@sink.test>');
    expect(dump).toContain('hello sink');
    await sink.stop();
    expect(isAlive(sink.pid)).toBe(false);
    rmSync(dumpDir, { recursive: true });
  });

  it('answers chosen commands with the hard and soft replies it was given', async () => {
    const hard = await start({ hardReject: ['RCPT'], hardReply: '550 5.1.1 No such user' });
    const client = await LineSocket.connect(hard.port);
    expect(await envelope(client)).toBe(550);
    await client.close();

    const soft = await start({ softReject: ['DATA'] });
    const second = await LineSocket.connect(soft.port);
    expect(await envelope(second)).toBe(250);
    const data = await second.smtp('DATA');
    expect(data).toEqual({ code: 450, lines: ['4.3.0 Error: command failed'] });
    await second.close();
  });

  it('sends 421 and hangs up after a -Q command', async () => {
    const sink = await start({ disconnect421: ['MAIL'] });
    const client = await LineSocket.connect(sink.port);
    expect((await client.readSmtpReply()).code).toBe(220);
    expect((await client.smtp('EHLO client.test')).code).toBe(250);
    expect((await client.smtp('MAIL FROM:<a@client.test>')).code).toBe(421);
    await expect(client.readLine()).rejects.toThrow(/connection closed/);
  });

  it('names the apt package when a peer binary is missing', () => {
    expect(() => requireCommand('no-such-peer-binary', 'some-package')).toThrow(PeerError);
    expect(() => requireCommand('no-such-peer-binary', 'some-package')).toThrow(
      'no-such-peer-binary is not installed: run "apt-get install -y some-package"',
    );
  });
});
