import { describe, expect, it } from 'vitest';
import { LocalProtocolError, MailError, errnoCode } from '@mailstack/errors';

describe('@mailstack/errors', () => {
  it('names errors after their class and keeps code and cause', () => {
    const cause = new Error('disk');
    const error = new LocalProtocolError('wrong-state', 'reply outside DATA', { cause });
    expect(error.name).toBe('LocalProtocolError');
    expect(error.code).toBe('wrong-state');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(MailError);
  });

  it('reads errno codes only from values that carry a string code', () => {
    expect(errnoCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(errnoCode({ code: 42 })).toBeUndefined();
    expect(errnoCode(null)).toBeUndefined();
    expect(errnoCode('ENOENT')).toBeUndefined();
  });
});
