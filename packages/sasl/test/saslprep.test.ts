import { describe, expect, it } from 'vitest';
import { parseMechanismName, saslprep, SASL_MECHANISMS, SCRAM_MIN_ITERATIONS } from '@mailstack/sasl';

describe('SASLprep (RFC 4013 §3 examples)', () => {
  it.each([
    ['I\u00ADX', 'IX'], // SOFT HYPHEN mapped to nothing
    ['user', 'user'],
    ['USER', 'USER'], // case preserved
    ['\u00AA', 'a'], // NFKC
    ['\u2168', 'IX'], // NFKC
    ['a\u00A0b', 'a b'], // non-ASCII space mapped to SPACE
  ])('prepares %j as %j', (input, output) => {
    expect(saslprep(input)).toBe(output);
  });

  it.each([
    ['\u0007', 'ASCII control'],
    ['\u0627\u0031', 'bidi: RandALCat string must end with RandALCat'],
    ['a\uE000', 'private use'],
    ['a\u200Eb', 'change display'],
    ['\u0627a\u0628', 'bidi: RandALCat with LCat'],
  ])('prohibits %j (%s)', (input) => {
    expect(saslprep(input)).toBeUndefined();
  });

  it('allows a right-to-left string that starts and ends right-to-left', () => {
    expect(saslprep('\u0627\u0031\u0628')).toBe('\u0627\u0031\u0628');
  });
});

describe('mechanism table', () => {
  it('parses names case-insensitively and only known ones', () => {
    expect(parseMechanismName('scram-sha-256')).toBe('SCRAM-SHA-256');
    expect(parseMechanismName('GSSAPI')).toBeUndefined();
    expect(parseMechanismName('toString')).toBeUndefined();
  });

  it('marks PLAIN, LOGIN and OAUTHBEARER as plaintext, SCRAM as mutual', () => {
    const plaintext = Object.entries(SASL_MECHANISMS).filter(([, info]) => info.plaintext).map(([name]) => name);
    expect(plaintext.sort()).toEqual(['LOGIN', 'OAUTHBEARER', 'PLAIN']);
    expect(SASL_MECHANISMS['SCRAM-SHA-256'].mutual).toBe(true);
  });
});

describe('SCRAM_MIN_ITERATIONS', () => {
  it('is RFC 7677 §4\'s 4096', () => {
    expect(SCRAM_MIN_ITERATIONS).toBe(4096);
  });
});
