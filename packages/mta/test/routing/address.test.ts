import { describe, expect, it } from 'vitest';
import { isPostmaster, splitAddress, splitExtension } from '@mailstack/mta';

describe('address helpers', () => {
  it('splits at the last "@" and lower-cases the domain only', () => {
    expect(splitAddress('"a@b"@Example.ORG')).toEqual({ localPart: '"a@b"', domain: 'example.org' });
    expect(splitAddress('Postmaster')).toEqual({ localPart: 'Postmaster', domain: '' });
  });

  it('splits extensions with one or several delimiter characters', () => {
    expect(splitExtension('Alice+Tag', '+')).toEqual({ full: 'alice+tag', base: 'alice', extension: 'Tag' });
    expect(splitExtension('alice-x+y', '+-')).toEqual({ full: 'alice-x+y', base: 'alice', extension: 'x+y' });
    expect(splitExtension('+tag', '+')).toEqual({ full: '+tag', base: '+tag' });
    expect(splitExtension('alice+tag', '')).toEqual({ full: 'alice+tag', base: 'alice+tag' });
    expect(splitExtension('"Al\\"ice+x"', '+')).toEqual({ full: 'al"ice+x', base: 'al"ice', extension: 'x' });
  });

  it('recognises Postmaster in any case, quoted or not (RFC 5321 §4.5.1)', () => {
    expect(['postmaster', 'PostMaster', '"POSTMASTER"'].every(isPostmaster)).toBe(true);
    expect(isPostmaster('postmaster+x')).toBe(false);
  });
});
