import { describe, expect, it } from 'vitest';
import { parseMessageIds } from '../../src/headers/message-ids.js';

describe('RFC 5322 §3.6.4 identification fields', () => {
  it('Message-ID, In-Reply-To and References', () => {
    expect(parseMessageIds('<1234@local.machine.example>')).toEqual(['1234@local.machine.example']);
    expect(parseMessageIds('<1234@local.machine.example> <3456@example.net>')).toEqual([
      '1234@local.machine.example',
      '3456@example.net',
    ]);
    expect(parseMessageIds('<a@b>\r\n <c@[1.2.3.4]>')).toEqual(['a@b', 'c@[1.2.3.4]']);
  });
  it('Lenient: missing brackets, commas, comments and phrases', () => {
    expect(parseMessageIds('1234@local.machine.example')).toEqual(['1234@local.machine.example']);
    expect(parseMessageIds('<a@b>,<c@d>')).toEqual(['a@b', 'c@d']);
    expect(parseMessageIds('<a@b> (Mary\'s message of "Fri, 21 Nov 1997 09:55:06 -0600")')).toEqual(['a@b']);
    expect(parseMessageIds('Your message of "Fri <x@y>" <a@b>')).toEqual(['a@b']);
  });
  it('garbage gives nothing', () => {
    expect(parseMessageIds('')).toEqual([]);
    expect(parseMessageIds('<> < > no ids here')).toEqual([]);
    expect(parseMessageIds('"unterminated <a@b>')).toEqual([]);
  });
});
