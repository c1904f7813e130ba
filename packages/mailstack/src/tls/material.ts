/**
 * TLS material for the listeners (SPEC.md §2 `tls`, §6 TLS 1.2+). With `tls.cert`/`tls.key`
 * configured, those files are read and checked (parseable, key matches certificate). Without,
 * a self-signed certificate for `hostname` lives in dataDir/tls/{cert,key}.pem: generated on
 * first start with the npm `selfsigned` package (no openssl binary needed), reused after, and
 * replaced when it no longer matches the host name, its key, or has expired.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { ConfigError } from '../config/errors.js';
import type { MailstackConfig } from '../config/types.js';

/** SPEC.md §6: TLS 1.2 or newer only (RFC 8996 deprecates 1.0 and 1.1). */
export const TLS_MIN_VERSION = 'TLSv1.2';
const GENERATED_VALIDITY_DAYS = 825;
const DAY_MS = 86_400_000;

/** Certificate and key, ready for tls.createServer / tls.createSecureContext. */
export interface TlsMaterial {
  options: SecureContextOptions & { key: string; cert: string; minVersion: typeof TLS_MIN_VERSION };
  certFile: string;
  keyFile: string;
  /** True when this call generated a new self-signed certificate. */
  generated: boolean;
}

export interface LoadTlsOptions {
  /** The clock, for expiry checks and the generated certificate's validity. */
  now?: Date;
}

type Checked = { ok: true; certificate: X509Certificate } | { ok: false; file: string; detail: string };

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError('io', `cannot read TLS ${what}: ${(error as Error).message}`, { file }, { cause: error });
  }
}

function checkPair(cert: string, key: string, files: { certFile: string; keyFile: string }): Checked {
  let certificate: X509Certificate;
  let privateKey: KeyObject;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    return { ok: false, file: files.certFile, detail: `not a PEM certificate (${(error as Error).message})` };
  }
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    return { ok: false, file: files.keyFile, detail: `not a PEM private key (${(error as Error).message})` };
  }
  if (!certificate.checkPrivateKey(privateKey)) return { ok: false, file: files.keyFile, detail: `key does not match certificate ${files.certFile}` };
  return { ok: true, certificate };
}

function material(cert: string, key: string, files: { certFile: string; keyFile: string }, generated: boolean): TlsMaterial {
  return { options: { cert, key, minVersion: TLS_MIN_VERSION }, ...files, generated };
}

async function loadConfigured(tls: { cert: string; key: string }): Promise<TlsMaterial> {
  const files = { certFile: tls.cert, keyFile: tls.key };
  const [cert, key] = await Promise.all([readPem(tls.cert, 'certificate'), readPem(tls.key, 'key')]);
  const checked = checkPair(cert, key, files);
  if (!checked.ok) throw new ConfigError('invalid-value', checked.detail, { file: checked.file });
  return material(cert, key, files, false);
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Write through a temporary file and rename, so a crash never leaves half a PEM behind. */
async function writeAtomically(file: string, text: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode });
  await rename(temporary, file);
}

async function generateSelfSigned(hostname: string, now: Date): Promise<{ cert: string; key: string }> {
  // Loaded here, not at startup: its X.509 stack is ~40 % of the CLI's start time (85 of ~210 ms),
  // which every `mailstack sendmail` run would pay for a certificate it never makes.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'rsa', // widest client support; generated once
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - DAY_MS), // tolerate clients whose clock is a little behind
    notAfterDate: new Date(now.getTime() + GENERATED_VALIDITY_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...new Set([hostname, 'localhost'])].map((value) => ({ type: 2 as const, value })) },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

async function loadGenerated(dataDir: string, hostname: string, now: Date): Promise<TlsMaterial> {
  const dir = join(dataDir, 'tls');
  const files = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
  const [cert, key] = await Promise.all([readIfPresent(files.certFile), readIfPresent(files.keyFile)]);
  if (cert !== undefined && key !== undefined) {
    const checked = checkPair(cert, key, files);
    const usable =
      checked.ok && checked.certificate.checkHost(hostname) !== undefined && new Date(checked.certificate.validTo).getTime() > now.getTime() + DAY_MS;
    if (usable) return material(cert, key, files, false);
  }
  const fresh = await generateSelfSigned(hostname, now);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeAtomically(files.keyFile, fresh.key, 0o600);
    await writeAtomically(files.certFile, fresh.cert, 0o644);
  } catch (error) {
    throw new ConfigError('io', `cannot write the generated TLS certificate: ${(error as Error).message}`, { file: dir }, { cause: error });
  }
  return material(fresh.cert, fresh.key, files, true);
}

/** The TLS material for a config: the configured files, or the generated self-signed pair. */
export async function loadTlsMaterial(config: Pick<MailstackConfig, 'tls' | 'dataDir' | 'hostname'>, options: LoadTlsOptions = {}): Promise<TlsMaterial> {
  if (config.tls) return loadConfigured(config.tls);
  return loadGenerated(config.dataDir, config.hostname, options.now ?? new Date());
}
