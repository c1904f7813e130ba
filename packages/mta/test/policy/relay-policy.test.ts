import { describe, expect, it } from 'vitest';
import { RelayPolicy, type SessionFacts } from '@mailstack/mta';

const policy = new RelayPolicy({
  mynetworks: ['127.0.0.0/8', '::1/128'],
  isLocalDomain: (d) => d === 'example.test',
  maxRecipientsPerMessage: 3,
  maxMessageBytes: 1000,
});
const outsider: SessionFacts = { listener: 'smtp', clientAddress: '203.0.113.5' };
const inside: SessionFacts = { listener: 'smtp', clientAddress: '127.0.0.1' };
const submitter: SessionFacts = { listener: 'submission', clientAddress: '203.0.113.5', authenticatedUser: 'alice' };

describe('RelayPolicy.checkRecipient', () => {
  it('accepts local recipients from anyone', () => {
    expect(policy.checkRecipient(outsider, 'bob@Example.Test', 0)).toEqual({ action: 'accept' });
    expect(policy.checkRecipient(outsider, 'postmaster', 0)).toEqual({ action: 'accept' });
  });

  it('relays only for mynetworks and authenticated clients (no open relay)', () => {
    expect(policy.checkRecipient(inside, 'x@remote.example', 0)).toEqual({ action: 'accept' });
    expect(policy.checkRecipient({ ...inside, clientAddress: '::ffff:127.0.0.9' }, 'x@remote.example', 0).action).toBe('accept');
    expect(policy.checkRecipient(submitter, 'x@remote.example', 0)).toEqual({ action: 'accept' });
    expect(policy.checkRecipient(outsider, 'x@remote.example', 0)).toEqual({
      action: 'reject',
      reply: { code: 554, enhanced: '5.7.1', text: '<x@remote.example>: Relay access denied' },
    });
    const closed = new RelayPolicy({ mynetworks: [], isLocalDomain: () => false });
    expect(closed.checkRecipient(inside, 'x@remote.example', 0).action).toBe('reject');
  });

  it('limits recipients per message with 452 4.5.3', () => {
    expect(policy.checkRecipient(inside, 'bob@example.test', 2)).toEqual({ action: 'accept' });
    expect(policy.checkRecipient(inside, 'bob@example.test', 3)).toEqual({
      action: 'reject',
      reply: { code: 452, enhanced: '4.5.3', text: 'Error: too many recipients' },
    });
  });
});

describe('RelayPolicy.checkMail', () => {
  it('requires AUTH before MAIL on submission and submissions (530 5.7.0)', () => {
    for (const listener of ['submission', 'submissions'] as const) {
      expect(policy.checkMail({ listener, clientAddress: '127.0.0.1' }, 'alice@example.test')).toEqual({
        action: 'reject',
        reply: { code: 530, enhanced: '5.7.0', text: 'Authentication required' },
      });
    }
    expect(policy.checkMail(outsider, 'anyone@remote.example')).toEqual({ action: 'accept' });
  });

  it('rejects a declared SIZE over the limit with 552 5.3.4', () => {
    expect(policy.checkMail(outsider, 'a@remote.example', 1000)).toEqual({ action: 'accept' });
    expect(policy.checkMail(outsider, 'a@remote.example', 1001)).toEqual({
      action: 'reject',
      reply: { code: 552, enhanced: '5.3.4', text: 'Message size exceeds fixed limit' },
    });
    expect(policy.checkMessageSize(1001)).toMatchObject({ action: 'reject', reply: { code: 552 } });
    expect(policy.checkMessageSize(1000)).toEqual({ action: 'accept' });
    expect(policy.maxMessageBytes).toBe(1000);
  });

  it('lets an authenticated user send only as their own addresses (553 5.7.1)', () => {
    expect(policy.checkMail(submitter, 'alice@example.test')).toEqual({ action: 'accept' });
    expect(policy.checkMail(submitter, 'Alice+lists@EXAMPLE.test')).toEqual({ action: 'accept' });
    expect(policy.checkMail(submitter, '')).toEqual({ action: 'accept' });
    expect(policy.checkMail(submitter, 'bob@example.test')).toEqual({
      action: 'reject',
      reply: { code: 553, enhanced: '5.7.1', text: '<bob@example.test>: Sender address rejected: not owned by user alice' },
    });
    expect(policy.checkMail(submitter, 'alice@remote.example').action).toBe('reject');
  });

  it('takes a sender-login map or can allow mismatches', () => {
    const mapped = new RelayPolicy({
      mynetworks: [],
      isLocalDomain: () => true,
      ownsAddress: (user, address) => user === 'alice' && address === 'sales@example.test',
    });
    expect(mapped.checkMail(submitter, 'sales@example.test').action).toBe('accept');
    expect(mapped.checkMail(submitter, 'alice@example.test').action).toBe('reject');
    const lax = new RelayPolicy({ mynetworks: [], isLocalDomain: () => true, allowSenderLoginMismatch: true });
    expect(lax.checkMail(submitter, 'anyone@anywhere.example').action).toBe('accept');
    expect(lax.checkHeaderFrom(submitter, ['anyone@anywhere.example']).action).toBe('accept');
  });

  it('checks header From authors of authenticated users', () => {
    expect(policy.checkHeaderFrom(submitter, ['alice@example.test'])).toEqual({ action: 'accept' });
    expect(policy.checkHeaderFrom(outsider, ['bob@example.test'])).toEqual({ action: 'accept' });
    expect(policy.checkHeaderFrom(submitter, ['alice@example.test', 'bob@example.test'])).toEqual({
      action: 'reject',
      reply: { code: 550, enhanced: '5.7.1', text: 'From: <bob@example.test> is not owned by user alice' },
    });
  });
});
