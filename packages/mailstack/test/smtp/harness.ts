// Test harness: an SmtpServer on 127.0.0.1 with handlers that record what they were given.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { formatPath, type Envelope, type Reply } from '@mailstack/smtp-core';
import {
  AuthFailureDelay,
  SmtpServer,
  UserDirectory,
  type SmtpListenOptions,
  type SmtpLogRecord,
  type SmtpServerHandlers,
  type SmtpServerOptions,
  type SmtpSessionInfo,
} from 'mailstack';
import { selfSignedCert, type CertFiles } from '../peers/index.js';
import { scratchDir } from '../scratch-dir.js';

/** A message as the onData handler received it. */
export interface ReceivedMessage {
  readonly from: string;
  readonly to: string[];
  readonly body: Buffer;
  readonly session: SmtpSessionInfo;
}

/** What the recording handlers saw. */
export interface Recorder {
  readonly messages: ReceivedMessage[];
  /** Bodies whose iteration threw (the client went away mid-message), with the error. */
  readonly aborted: Error[];
  readonly logs: SmtpLogRecord[];
}

let certPromise: Promise<{ files: CertFiles; context: SecureContext; pem: string }> | undefined;

/** One self-signed certificate for localhost/127.0.0.1 per test file. */
export function testCert(): Promise<{ files: CertFiles; context: SecureContext; pem: string }> {
  certPromise ??= (async () => {
    const files = await selfSignedCert(scratchDir('smtp-cert'));
    const [cert, key] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
    return { files, pem: cert, context: createSecureContext({ cert, key, minVersion: 'TLSv1.2' }) };
  })();
  return certPromise;
}

/** A users file with alice:secret ({PLAIN}, so CRAM-MD5 and SCRAM work too). */
export async function testUsers(): Promise<UserDirectory> {
  const dir = scratchDir('smtp-users');
  const file = join(dir, 'users');
  writeFileSync(file, 'alice:{PLAIN}secret\nbob:{PLAIN}hunter2\n');
  return UserDirectory.open({ file, domains: ['example.test'], dataDir: dir });
}

/** Handlers that accept everything and keep each message in memory (tests only). */
export function recordingHandlers(rec: Recorder, overrides: Partial<SmtpServerHandlers> = {}): SmtpServerHandlers {
  let seq = 0;
  return {
    async onData(envelope: Envelope, body: AsyncIterable<Uint8Array>, session: SmtpSessionInfo): Promise<Reply> {
      const chunks: Uint8Array[] = [];
      try {
        for await (const chunk of body) chunks.push(chunk);
      } catch (error) {
        rec.aborted.push(error as Error);
        throw error;
      }
      rec.messages.push({
        from: formatPath(envelope.reversePath),
        to: envelope.recipients.map((r) => formatPath(r.forwardPath)),
        body: Buffer.concat(chunks),
        session,
      });
      return { code: 250, enhanced: '2.0.0', text: `Ok: queued as T${++seq}` };
    },
    ...overrides,
  };
}

export interface TestServer {
  readonly server: SmtpServer;
  readonly rec: Recorder;
  /** Ports by listener name given to startTestServer. */
  readonly ports: Record<string, number>;
  stop(): Promise<void>;
}

/** Start a server with the given listeners (default: one smtp listener). */
export async function startTestServer(
  options: Partial<SmtpServerOptions> = {},
  listeners: Record<string, Omit<SmtpListenOptions, 'host' | 'port'>> = { smtp: {} },
  overrides: Partial<SmtpServerHandlers> = {},
): Promise<TestServer> {
  const rec: Recorder = { messages: [], aborted: [], logs: [] };
  const { context } = await testCert();
  const server = new SmtpServer(
    { hostname: 'mx.example.test', tls: context, logger: (r) => rec.logs.push(r), ...options },
    recordingHandlers(rec, overrides),
  );
  const ports: Record<string, number> = {};
  for (const [name, l] of Object.entries(listeners)) ports[name] = (await server.listen({ host: '127.0.0.1', port: 0, ...l })).port;
  return { server, rec, ports, stop: () => server.close({ graceMs: 2000 }) };
}

/** Auth options for tests: the test users, no failure delay worth waiting for. */
export async function testAuth(maxFailures = 3): Promise<NonNullable<SmtpServerOptions['auth']>> {
  return { lookup: await testUsers(), maxFailures, failureDelay: new AuthFailureDelay({ baseMs: 1, maxMs: 5 }) };
}
