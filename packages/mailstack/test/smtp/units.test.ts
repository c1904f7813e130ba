// The pure pieces of the SMTP adapter and src/net: AUTH offer policy, the body stream, the
// connection limiter and address normalisation (no sockets).
import { describe, expect, it } from 'vitest';
import { DEFAULT_SMTP_MECHANISMS, SmtpBodyAbortedError, SmtpBodyStream, offeredMechanisms, type SmtpAuthOptions } from 'mailstack';
import { isLoopback, normalizeIp } from '../../src/net/address.js';
import { ConnectionLimiter } from '../../src/net/limiter.js';

const full: SmtpAuthOptions = {
  lookup: { verifyPassword: async () => false, getCramSecret: async () => undefined, getScramCredentials: async () => undefined },
};

describe('offeredMechanisms (SPEC.md §2 allowPlaintextAuth)', () => {
  it('offers everything on submission over TLS', () => {
    expect(offeredMechanisms(full, { role: 'submission', tls: true, loopback: false })).toEqual([...DEFAULT_SMTP_MECHANISMS]);
  });
  it('hides plaintext mechanisms from remote clients without TLS', () => {
    expect(offeredMechanisms(full, { role: 'submission', tls: false, loopback: false })).toEqual(['CRAM-MD5', 'SCRAM-SHA-256']);
    expect(offeredMechanisms(full, { role: 'submission', tls: false, loopback: true })).toEqual([...DEFAULT_SMTP_MECHANISMS]);
  });
  it('offers AUTH on the smtp role only after TLS, or to loopback with allowPlaintextAuth', () => {
    expect(offeredMechanisms(full, { role: 'smtp', tls: false, loopback: true })).toEqual([]);
    expect(offeredMechanisms({ ...full, allowPlaintextAuth: true }, { role: 'smtp', tls: false, loopback: true })).toEqual([...DEFAULT_SMTP_MECHANISMS]);
    expect(offeredMechanisms({ ...full, allowPlaintextAuth: true }, { role: 'smtp', tls: false, loopback: false })).toEqual([]);
    expect(offeredMechanisms(full, { role: 'smtp', tls: true, loopback: false })).toEqual([...DEFAULT_SMTP_MECHANISMS]);
  });
  it('leaves out mechanisms the lookup cannot serve, and everything without auth options', () => {
    const passwordOnly: SmtpAuthOptions = { lookup: { verifyPassword: async () => false } };
    expect(offeredMechanisms(passwordOnly, { role: 'submission', tls: true, loopback: false })).toEqual(['PLAIN', 'LOGIN']);
    expect(offeredMechanisms(undefined, { role: 'submission', tls: true, loopback: false })).toEqual([]);
  });
});

describe('SmtpBodyStream', () => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

  it('yields pushed chunks in order and ends', async () => {
    const body = new SmtpBodyStream(1024);
    body.push(bytes('a'));
    const reading = (async () => {
      let text = '';
      for await (const c of body) text += new TextDecoder().decode(c);
      return text;
    })();
    body.push(bytes('b'));
    body.end();
    expect(await reading).toBe('ab');
  });

  it('makes push() wait past the high-water mark until the reader catches up', async () => {
    const body = new SmtpBodyStream(4);
    expect(body.push(bytes('1234'))).toBeUndefined();
    const wait = body.push(bytes('5'));
    expect(wait).toBeInstanceOf(Promise);
    let released = false;
    void wait!.then(() => (released = true));
    const it = body[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setImmediate(r));
    expect(released).toBe(true);
  });

  it('throws SmtpBodyAbortedError to the reader after abort()', async () => {
    const body = new SmtpBodyStream();
    body.push(bytes('partial'));
    body.abort(new SmtpBodyAbortedError('aborted', 'client left'));
    const it = body[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual(bytes('partial'));
    await expect(it.next()).rejects.toBeInstanceOf(SmtpBodyAbortedError);
  });

  it('drops chunks and never blocks once the reader has detached', () => {
    const body = new SmtpBodyStream(1);
    body.detach();
    expect(body.push(bytes('ignored'))).toBeUndefined();
  });
});

describe('ConnectionLimiter', () => {
  it('caps per address and in total, and releases', () => {
    const l = new ConnectionLimiter({ total: 3, perIp: 2 });
    expect([l.admit('a'), l.admit('a'), l.admit('a')]).toEqual([{ ok: true }, { ok: true }, { ok: false, reason: 'per-ip' }]);
    expect(l.admit('b')).toEqual({ ok: true });
    expect(l.admit('c')).toEqual({ ok: false, reason: 'total' });
    l.release('a');
    expect(l.admit('c')).toEqual({ ok: true });
    expect(l.total).toBe(3);
  });
});

describe('addresses', () => {
  it('unwraps IPv4-mapped IPv6 and recognises loopback', () => {
    expect(normalizeIp('::FFFF:127.0.0.2')).toBe('127.0.0.2');
    expect(normalizeIp('2001:db8::1')).toBe('2001:db8::1');
    expect([isLoopback('127.9.9.9'), isLoopback('::1'), isLoopback('10.0.0.1'), isLoopback(normalizeIp('::ffff:127.0.0.1'))]).toEqual([true, true, false, true]);
  });
});
