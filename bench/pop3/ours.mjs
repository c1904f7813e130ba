// mailstack's Pop3Server for the POP3 benchmark (bench/README.md "Plugging in ours"): the users
// file and Maildir homes the runner prepared, pop3 and pop3s listeners. Uses the BUILT package:
// run `pnpm --filter mailstack build` first.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { Pop3Server, UserDirectory } from 'mailstack';

/** Starts the server; resolves once both listeners listen. */
export async function start({ host, pop3Port, pop3sPort, dataDir, users, certFile, keyFile }) {
  const directory = await UserDirectory.open({ file: users, domains: ['bench.test'], dataDir });
  const tls = createSecureContext({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' });
  const server = new Pop3Server({
    hostname: 'ours.bench.test',
    users: directory,
    tls,
    maxConnections: 1000,
    maxConnectionsPerIp: 1000,
  });
  const plain = await server.listen({ host, port: pop3Port });
  const secure = await server.listen({ host, port: pop3sPort, implicitTls: true });
  return { pop3Port: plain.port, pop3sPort: secure.port, stop: () => server.close({ graceMs: 5000 }) };
}
