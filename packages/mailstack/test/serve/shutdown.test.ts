// Graceful close (SIGTERM in the CLI): listeners stop, a transaction in progress may finish and
// gets its 250, the session then ends with 421, and the message is delivered or still queued.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LineSocket } from '../peers/index.js';
import { startTestServer } from './harness.js';

describe('serve: graceful close', () => {
  it('lets an open DATA finish with 250, then refuses new connections', async () => {
    const t = await startTestServer();
    const port = t.port('smtp');
    const c = await LineSocket.connect(port);
    expect((await c.readSmtpReply()).code).toBe(220);
    expect((await c.smtp('EHLO client.test')).code).toBe(250);
    expect((await c.smtp('MAIL FROM:<alice@example.test>')).code).toBe(250);
    expect((await c.smtp('RCPT TO:<bob@example.test>')).code).toBe(250);
    expect((await c.smtp('DATA')).code).toBe(354);
    c.writeLine('Subject: in flight');
    c.writeLine('');
    await new Promise((r) => setTimeout(r, 100));
    const closing = t.server.close(10_000);
    await new Promise((r) => setTimeout(r, 200));
    c.writeLine('still arriving after close()');
    const done = await c.smtp('.');
    expect(done.code).toBe(250);
    const id = /queued as (\w+)/.exec(done.lines[0]!)![1]!;
    const after = await c.readSmtpReply().catch(() => ({ code: 0, lines: [] }));
    expect([0, 421]).toContain(after.code);
    await c.close();
    await closing;
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => resolve(false)).once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    const inMaildir = t.maildir('bob').some((m) => m.toString().includes('still arriving after close()'));
    const queued = ['active', 'deferred'].some((d) => existsSync(join(t.config.dataDir, 'queue', d, id)));
    expect(inMaildir || queued).toBe(true);
  });
});
