import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shaCrypt, shaCryptAsync, parseShaCryptSettings } from 'mailstack';

const settings = (text: string) => parseShaCryptSettings(text)!;

describe('SHA-crypt (Drepper test vectors)', () => {
  it.each([
    ['$5$saltstring', 'Hello world!', '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
    ['$5$rounds=10000$saltstringsaltstring', 'Hello world!', '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA'],
    ['$6$saltstring', 'Hello world!', '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'],
    ['$6$rounds=10000$saltstringsaltstring', 'Hello world!', '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.'],
    ['$6$rounds=1400$anotherlongsaltstring', 'a very much longer text to encrypt.  This one even stretches over morethan one line.', '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1'],
    ['$6$rounds=10$roundstoolow', 'the minimum number is still observed', '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.'],
  ])('%s', (salt, password, expected) => {
    expect(shaCrypt(password, settings(salt))).toBe(expected);
  });

  it('matches openssl passwd -5 and -6 for a UTF-8 password', () => {
    for (const flag of ['-5', '-6']) {
      const expected = execFileSync('openssl', ['passwd', flag, '-salt', 'Zq8.xY/0ab', 'pässwörd'], { encoding: 'utf8' }).trim();
      expect(shaCrypt('pässwörd', settings(expected))).toBe(expected);
    }
  });
});

describe('shaCryptAsync', () => {
  it('gives the same hash as shaCrypt and lets other work run between slices', async () => {
    const settings = parseShaCryptSettings('$6$rounds=5000$saltstring')!;
    let turns = 0;
    const tick = (): void => {
      turns++;
      if (!done) setImmediate(tick);
    };
    let done = false;
    setImmediate(tick);
    const hash = await shaCryptAsync('Hello world!', settings);
    done = true;
    expect(hash).toBe(shaCrypt('Hello world!', settings));
    expect(turns).toBeGreaterThanOrEqual(20); // 5000 rounds in slices of 200
  });
});
