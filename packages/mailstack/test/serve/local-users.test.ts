// LocalUserNames: the RCPT-time view of the users file, checked at most once per maxAgeMs; a
// promise only when it checks, so that RCPT between checks is answered synchronously.
import { describe, expect, it } from 'vitest';
import type { UserDirectory } from '../../src/auth/user-directory.js';
import { LocalUserNames } from '../../src/serve/local-users.js';

function directory(names: string[]): { directory: UserDirectory; lists: () => number } {
  let lists = 0;
  const fake = {
    list: async () => {
      lists++;
      return names.map((name) => ({ name }));
    },
  };
  return { directory: fake as unknown as UserDirectory, lists: () => lists };
}

describe('LocalUserNames', () => {
  it('checks the directory when due (a promise), not in between (undefined), and sees a user added since', async () => {
    const names = ['Alice'];
    const { directory: dir, lists } = directory(names);
    const users = new LocalUserNames(dir, 1000);
    const first = users.refresh(10_000);
    expect(first).toBeInstanceOf(Promise);
    await first;
    expect(users.has('alice')).toBe(true);
    names.push('bob');
    expect(users.refresh(10_500)).toBeUndefined(); // within maxAgeMs: no check, no promise
    expect(users.has('bob')).toBe(false);
    await users.refresh(11_000);
    expect(users.has('BOB')).toBe(true);
    expect(lists()).toBe(2);
  });
});
