// The README's embedding example, run as written (with a temp file instead of /tmp/message.eml).
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { expect, it } from 'vitest';
import { SmtpClient, SmtpServer } from 'mailstack';
import { scratchDir } from '../scratch-dir.js';

it('README example: embed SmtpServer, send with SmtpClient', async () => {
  const file = join(scratchDir('readme'), 'message.eml');
  const server = new SmtpServer(
    { hostname: 'mx.example.test', maxMessageBytes: 10_000_000 },
    {
      onRcptTo: (to) => (to.domain === 'example.test' ? undefined : { code: 550, enhanced: '5.7.1', text: 'Relay access denied' }),
      async onData(_envelope, body) {
        await pipeline(body, createWriteStream(file));
        return { code: 250, enhanced: '2.0.0', text: 'Ok: queued as 1' };
      },
    },
  );
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });

  const client = await SmtpClient.connect({ host: '127.0.0.1', port, tls: 'none' });
  const result = await client.send({ from: 'a@sender.test', to: ['b@example.test', 'c@elsewhere.test'], body: new TextEncoder().encode('Subject: hi\r\n\r\nhello\r\n') });
  expect(result.recipients.map((r) => r.reply?.code)).toEqual([250, 550]);
  await client.quit();
  await server.close({ graceMs: 5000 });
  expect(readFileSync(file, 'latin1')).toBe('Subject: hi\r\n\r\nhello\r\n');
});
