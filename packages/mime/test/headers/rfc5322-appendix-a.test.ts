import { describe, expect, it } from 'vitest';
import { parseAddressList } from '../../src/headers/addresses.js';
import { parseDate } from '../../src/headers/dates.js';
import { parseMessageIds } from '../../src/headers/message-ids.js';

describe('RFC 5322 Appendix A.1 addressing', () => {
  it('A.1.1 a message from one person to another', () => {
    expect(parseAddressList('John Doe <jdoe@machine.example>')).toEqual([{ name: 'John Doe', address: 'jdoe@machine.example' }]);
  });
  it('A.1.2 different types of mailboxes', () => {
    expect(parseAddressList('"Joe Q. Public" <john.q.public@example.com>')).toEqual([
      { name: 'Joe Q. Public', address: 'john.q.public@example.com' },
    ]);
    expect(parseAddressList('Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>')).toEqual([
      { name: 'Mary Smith', address: 'mary@x.test' },
      { name: '', address: 'jdoe@example.org' },
      { name: 'Who?', address: 'one@y.test' },
    ]);
    expect(parseAddressList('<boss@nil.test>, "Giant; \\"Big\\" Box" <sysservices@example.net>')).toEqual([
      { name: '', address: 'boss@nil.test' },
      { name: 'Giant; "Big" Box', address: 'sysservices@example.net' },
    ]);
  });
  it('A.1.3 group addresses', () => {
    expect(parseAddressList('A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;')).toEqual([
      {
        group: 'A Group',
        members: [
          { name: 'Ed Jones', address: 'c@a.test' },
          { name: '', address: 'joe@where.test' },
          { name: 'John', address: 'jdoe@one.test' },
        ],
      },
    ]);
    expect(parseAddressList('Undisclosed recipients:;')).toEqual([{ group: 'Undisclosed recipients', members: [] }]);
  });
  it('A.2 a reply-to with a colon inside a quoted name', () => {
    expect(parseAddressList('"Mary Smith: Personal Account" <smith@home.example>')).toEqual([
      { name: 'Mary Smith: Personal Account', address: 'smith@home.example' },
    ]);
  });
});

describe('RFC 5322 Appendix A.5 white space, comments, and other oddities', () => {
  it('comments inside addresses are dropped', () => {
    expect(parseAddressList('Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>')).toEqual([
      { name: 'Pete', address: 'pete@silly.test' },
    ]);
  });
  it('a folded group with comments', () => {
    expect(
      parseAddressList(
        "A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)",
      ),
    ).toEqual([
      {
        group: 'A Group',
        members: [
          { name: 'Chris Jones', address: 'c@public.example' },
          { name: '', address: 'joe@example.org' },
          { name: 'John', address: 'jdoe@one.test' },
        ],
      },
    ]);
  });
  it('an empty group made of comments', () => {
    expect(parseAddressList('(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;')).toEqual([
      { group: 'Hidden recipients', members: [] },
    ]);
  });
  it('the folded date with a comment', () => {
    expect(parseDate('Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n               -0330 (Newfoundland Time)')?.toISOString())
      .toBe('1969-02-14T03:02:00.000Z');
  });
  it('the message id with white space', () => {
    expect(parseMessageIds('             <testabcd.1234@silly.test>')).toEqual(['testabcd.1234@silly.test']);
  });
});

describe('RFC 5322 Appendix A.6 obsolete syntax', () => {
  it('A.6.1 obsolete addressing: unquoted dot in a phrase, a route, an empty element, spaces around a dot', () => {
    expect(parseAddressList('Joe Q. Public <john.q.public@example.com>')).toEqual([
      { name: 'Joe Q. Public', address: 'john.q.public@example.com' },
    ]);
    expect(parseAddressList('Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example')).toEqual([
      { name: 'Mary Smith', address: 'mary@example.net' },
      { name: '', address: 'jdoe@test.example' },
    ]);
  });
  it('A.6.2 obsolete dates', () => {
    expect(parseDate('21 Nov 97 09:55:06 GMT')?.toISOString()).toBe('1997-11-21T09:55:06.000Z');
  });
  it('A.6.3 obsolete white space and comments', () => {
    expect(parseAddressList('John Doe <jdoe@machine(comment).  example>')).toEqual([
      { name: 'John Doe', address: 'jdoe@machine.example' },
    ]);
    expect(parseAddressList('Mary Smith\r\n  \r\n          <mary@example.net>')).toEqual([
      { name: 'Mary Smith', address: 'mary@example.net' },
    ]);
    expect(parseDate('Fri, 21 Nov 1997 09(comment):   55  :  06 -0600')?.toISOString()).toBe('1997-11-21T15:55:06.000Z');
    expect(parseMessageIds('<1234   @   local(blah)  .machine .example>')).toEqual(['1234@local.machine.example']);
  });
});
