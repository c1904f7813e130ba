// mailstack's SmtpServer with a handler that reads each body and drops it: the SMTP side alone,
// without the disk, for `node smtp/run.mjs --targets smtp-sink,ours --ours smtp/ours-discard.mjs`.
// Same options as ours.mjs. Uses the BUILT package.
import { SmtpServer } from 'mailstack';

/** Starts the server; resolves once it listens. */
export async function start({ host, port, domain = 'bench.test' }) {
  const server = new SmtpServer(
    { hostname: `ours.${domain}`, maxMessageBytes: 64 * 1024 * 1024, maxConnections: 1000, maxConnectionsPerIp: 1000 },
    {
      onRcptTo(path) {
        if (path.domain.toLowerCase() !== domain) return { code: 550, enhanced: '5.1.1', text: 'Recipient address rejected' };
        return undefined;
      },
      async onData(_envelope, body) {
        for await (const chunk of body) void chunk;
        return { code: 250, enhanced: '2.0.0', text: 'Ok: discarded' };
      },
    },
  );
  const listening = await server.listen({ host, port });
  return { port: listening.port, stop: () => server.close({ graceMs: 5000 }) };
}
