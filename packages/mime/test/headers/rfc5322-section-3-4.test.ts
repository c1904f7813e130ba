import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Address,
  type Mailbox,
  formatAddress,
  formatAddressList,
  parseAddressList,
} from '../../src/headers/addresses.js';
import { MimeError } from '../../src/errors.js';

describe('RFC 5322 §3.4 address specification: details', () => {
  it('keeps a quoted local part quoted only when it must be', () => {
    expect(parseAddressList('"john doe"@example.com')).toEqual([{ name: '', address: '"john doe"@example.com' }]);
    expect(parseAddressList('"john"@example.com')).toEqual([{ name: '', address: 'john@example.com' }]);
  });
  it('keeps domain literals', () => {
    expect(parseAddressList('root@[192.0.2.1]')).toEqual([{ name: '', address: 'root@[192.0.2.1]' }]);
  });
  it('RFC 6532: UTF-8 in names and addresses', () => {
    expect(parseAddressList('Jörg Müller <jörg@bücher.example>, 日本 <用户@例子.广告>')).toEqual([
      { name: 'Jörg Müller', address: 'jörg@bücher.example' },
      { name: '日本', address: '用户@例子.广告' },
    ]);
  });
  it('RFC 2047 §5(3): encoded words in display names, also inside quotes', () => {
    expect(parseAddressList('=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>')).toEqual([
      { name: 'Keld Jørn Simonsen', address: 'keld@dkuug.dk' },
    ]);
    expect(parseAddressList('"=?UTF-8?Q?M=C3=BCller=2C_Hans?=" <h@x.test>, b@x.test')).toEqual([
      { name: 'Müller, Hans', address: 'h@x.test' },
      { name: '', address: 'b@x.test' },
    ]);
  });
  it('a decoded name holding "," or "<" does not split the list', () => {
    expect(parseAddressList('=?UTF-8?Q?a=2C_b_=3Cc=40d=3E?= <e@f.test>')).toEqual([{ name: 'a, b <c@d>', address: 'e@f.test' }]);
  });
});

describe('addresses as seen in the wild', () => {
  it('the old "address (Real Name)" convention', () => {
    expect(parseAddressList('jdoe@example.org (John Doe)')).toEqual([{ name: 'John Doe', address: 'jdoe@example.org' }]);
  });
  it('a name before a bare address without angle brackets', () => {
    expect(parseAddressList('John Doe jdoe@example.org')).toEqual([{ name: 'John Doe', address: 'jdoe@example.org' }]);
  });
  it('a local address without a domain', () => {
    expect(parseAddressList('root, postmaster')).toEqual([
      { name: '', address: 'root' },
      { name: '', address: 'postmaster' },
    ]);
  });
  it('a missing ">" runs to the end', () => {
    expect(parseAddressList('John <jdoe@example.org')).toEqual([{ name: 'John', address: 'jdoe@example.org' }]);
  });
  it('a missing ";" ends the group at the end of the value', () => {
    expect(parseAddressList('team: a@x.test, b@x.test')).toEqual([
      { group: 'team', members: [{ name: '', address: 'a@x.test' }, { name: '', address: 'b@x.test' }] },
    ]);
  });
  it('an undisclosed-recipients group followed by a mailbox', () => {
    expect(parseAddressList('undisclosed-recipients:;, a@x.test')).toEqual([
      { group: 'undisclosed-recipients', members: [] },
      { name: '', address: 'a@x.test' },
    ]);
  });
  it('garbage gives what it can and never throws', () => {
    expect(parseAddressList('')).toEqual([]);
    expect(parseAddressList(',,;;<>')).toEqual([]);
    expect(parseAddressList('John Smith')).toEqual([{ name: 'John Smith', address: '' }]);
    expect(parseAddressList('"unterminated <a@b.test>')).toEqual([{ name: 'unterminated <a@b.test>', address: '' }]);
  });
});

describe('formatAddress / formatAddressList', () => {
  it('writes atoms bare, specials quoted, non-ASCII as encoded words', () => {
    expect(formatAddress({ name: 'John Doe', address: 'jdoe@example.org' })).toBe('John Doe <jdoe@example.org>');
    expect(formatAddress({ name: 'Doe, John', address: 'j@x.test' })).toBe('"Doe, John" <j@x.test>');
    expect(formatAddress({ name: 'say "hi"', address: 'j@x.test' })).toBe('"say \\"hi\\"" <j@x.test>');
    expect(formatAddress({ name: 'Müller, Hans', address: 'h@x.test' })).toBe('=?UTF-8?Q?M=C3=BCller=2C_Hans?= <h@x.test>');
    expect(formatAddress({ name: '', address: 'a@x.test' })).toBe('a@x.test');
  });
  it('quotes a local part that needs it and refuses what is not an address', () => {
    expect(formatAddress({ name: '', address: 'john doe@x.test' })).toBe('"john doe"@x.test');
    expect(formatAddress({ name: '', address: '"john doe"@x.test' })).toBe('"john doe"@x.test');
    expect(formatAddress({ name: 'A', address: 'root' })).toBe('A <root>');
    expect(formatAddress({ name: '', address: 'a@[192.0.2.1]' })).toBe('a@[192.0.2.1]');
    expect(formatAddress({ name: '', address: 'a@b.test>, evil@x.test' })).toBe('"a@b.test>, evil"@x.test');
    expect(parseAddressList(formatAddress({ name: '', address: 'a@b.test>, evil@x.test' }))).toHaveLength(1);
    expect(() => formatAddress({ name: '', address: 'evil@x.test>, a@b.test (' })).toThrow(MimeError);
    expect(() => formatAddress({ name: '', address: 'a@x.test\r\nBcc: b@y.test' })).toThrow(MimeError);
    expect(() => formatAddress({ name: 'A', address: '' })).toThrow(MimeError);
    expect(formatAddress({ name: '', address: '' })).toBe('');
  });
  it('RFC 6532: raw UTF-8 names on request', () => {
    expect(formatAddress({ name: 'Müller, Hans', address: 'h@x.test' }, { utf8: true })).toBe('"Müller, Hans" <h@x.test>');
  });
  it('groups, empty and not', () => {
    expect(formatAddressList([
      { group: 'undisclosed-recipients', members: [] },
      { group: 'A Group', members: [{ name: 'Ed', address: 'c@a.test' }, { name: '', address: 'joe@where.test' }] },
    ])).toBe('undisclosed-recipients:;, A Group: Ed <c@a.test>, joe@where.test;');
  });
});

const atextChar = fc.constantFrom(...'abcXYZ019!#$%&\'*+-/=?^_`{|}~'.split(''));
const atom = fc.array(atextChar, { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
const dotAtom = fc.array(atom, { minLength: 1, maxLength: 3 }).map((a) => a.join('.'));
const quotedLocal = fc.string({ minLength: 1, maxLength: 10 })
  .filter((s) => /^[\x20-\x7e]+$/.test(s) && /[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]/.test(s))
  .map((s) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
const address = fc.tuple(fc.oneof(dotAtom, quotedLocal), dotAtom).map(([l, d]) => `${l}@${d}`);
const nameChar = fc.oneof(
  fc.constantFrom(...[...'abc XYZ,;:<>@."\\()[]=?é日😀']),
  fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' }),
);
const name = fc.array(nameChar, { maxLength: 30 }).map((a) => a.join('').replace(/\s+/g, ' ').trim())
  .filter((s) => !/[\x00-\x1f\x7f]/.test(s));
const mailbox: fc.Arbitrary<Mailbox> = fc.record({ name, address });
const group = fc.record({ group: name.filter((n) => n !== ''), members: fc.array(mailbox, { maxLength: 3 }) });
const list: fc.Arbitrary<Address[]> = fc.array(fc.oneof(mailbox, group), { maxLength: 4 });

describe('properties', () => {
  it('parseAddressList(formatAddressList(x)) is x', () => {
    fc.assert(fc.property(list, fc.boolean(), (addresses, utf8) => {
      expect(parseAddressList(formatAddressList(addresses, { utf8 }))).toEqual(addresses);
    }), { numRuns: 300 });
  });
  it('random strings never throw', () => {
    const alphabet = fc.constantFrom(...'ab@.,;:<>"()[]\\ =?Q_\r\n'.split(''));
    fc.assert(fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 200 }).map((a) => a.join(''))), (s) => {
      expect(Array.isArray(parseAddressList(s))).toBe(true);
    }), { numRuns: 300 });
  });
});
