// What private peers need from the machine: their binaries (installed from apt, never skipped),
// unix users for delivery, a world-traversable temp dir and a self-signed certificate.
import { accessSync, constants, chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { PeerError } from './errors.js';
import { runCommand } from './processes.js';

const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/lib/dovecot'];

/**
 * The absolute path of a peer's program. A missing program is an error naming the Debian
 * package to install (STYLE.md §8: a missing peer fails, it is never skipped).
 */
export function requireCommand(name: string, aptPackage: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not in this directory
    }
  }
  throw new PeerError('missing', `${name} is not installed: run "apt-get install -y ${aptPackage}"`);
}

/** Numeric ids of a unix user. */
export interface UnixUser {
  name: string;
  uid: number;
  gid: number;
}

async function lookupUser(name: string): Promise<UnixUser | undefined> {
  try {
    const uid = Number((await runCommand('id', ['-u', name])).stdout.trim());
    const gid = Number((await runCommand('id', ['-g', name])).stdout.trim());
    return { name, uid, gid };
  } catch {
    return undefined;
  }
}

/** The system user `name`, created (no login shell, no home) when it does not exist yet. */
export async function ensureSystemUser(name: string): Promise<UnixUser> {
  const found = await lookupUser(name);
  if (found) return found;
  try {
    await runCommand(requireCommand('useradd', 'passwd'), [
      '--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name,
    ]);
  } catch (error) {
    // Another test process may have created it in the meantime.
    const raced = await lookupUser(name);
    if (raced) return raced;
    throw error;
  }
  const created = await lookupUser(name);
  if (!created) throw new PeerError('start-failed', `useradd ${name} did not create the user`);
  return created;
}

/** A fresh directory under the OS temp dir that unprivileged peer processes can traverse. */
export function makePeerDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** Paths of a PEM certificate and its unencrypted key. */
export interface CertFiles {
  certFile: string;
  keyFile: string;
}

/** Writes a self-signed certificate for localhost/127.0.0.1 into dir (openssl req -x509). */
export async function selfSignedCert(dir: string): Promise<CertFiles> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await runCommand(requireCommand('openssl', 'openssl'), [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ]);
  chmodSync(keyFile, 0o600);
  return { certFile, keyFile };
}
