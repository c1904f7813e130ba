/**
 * SPEC.md §3: a fresh machine with an empty users file gets one user, `postmaster`, with a random
 * password that is printed once (through the logger) and stored only as a SHA512-CRYPT hash.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/schemes.js';
import { loadUsersFile, saveUsersFile } from '../auth/users-store.js';

/** Create `postmaster` when the users file has no user; resolves with the password, or undefined. */
export async function ensureFirstUser(usersFile: string): Promise<string | undefined> {
  const users = await loadUsersFile(usersFile);
  if (users.users.length > 0) return undefined;
  const password = randomBytes(12).toString('base64url');
  users.set({ name: 'postmaster', secret: hashPassword(password, 'SHA512-CRYPT'), uid: '', gid: '', gecos: '', home: '', shell: '', extra: '' });
  await saveUsersFile(users);
  return password;
}
