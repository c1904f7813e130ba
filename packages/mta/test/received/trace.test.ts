import { describe, expect, it } from 'vitest';
import { formatDeliveredTo, formatReturnPath, hasDeliveredTo } from '@mailstack/mta';

describe('trace fields of final delivery', () => {
  it('formats Return-Path, with <> for the null sender', () => {
    expect(formatReturnPath('alice@example.test')).toBe('Return-Path: <alice@example.test>\r\n');
    expect(formatReturnPath('')).toBe('Return-Path: <>\r\n');
    expect(formatReturnPath('a@x\r\nBcc: evil@x')).toBe('Return-Path: <a@xBcc: evil@x>\r\n');
  });

  it('formats Delivered-To', () => {
    expect(formatDeliveredTo('bob@example.test')).toBe('Delivered-To: bob@example.test\r\n');
  });

  it('finds an earlier Delivered-To for the same recipient (local(8) loop check)', () => {
    const header = 'Received: from x\r\n by y; date\r\nDelivered-To: Bob@Example.TEST\r\nSubject: hi\r\n\r\nDelivered-To: body@example.test\r\n';
    expect(hasDeliveredTo(header, 'bob@example.test')).toBe(true);
    expect(hasDeliveredTo(header, 'alice@example.test')).toBe(false);
    expect(hasDeliveredTo(header, 'body@example.test')).toBe(false);
    expect(hasDeliveredTo('Delivered-To:\n  folded@example.test\nX: y\n', 'folded@example.test')).toBe(true);
    expect(hasDeliveredTo('X-Delivered-To: bob@example.test\n', 'bob@example.test')).toBe(false);
  });
});
