import { expect, it } from 'vitest';
import { MailError } from '@mailstack/errors';
import { MailError as MimeMailError, MimeError } from '@mailstack/mime';
import { MailError as SmtpMailError } from '@mailstack/smtp-core';
import { MailError as Pop3MailError } from '@mailstack/pop3-core';
import { StoreError } from '@mailstack/mailstore';
import { QueueError } from '@mailstack/mta';

it('every package re-exports the one MailError, so instanceof holds across packages', () => {
  expect(MimeMailError).toBe(MailError);
  expect(SmtpMailError).toBe(MailError);
  expect(Pop3MailError).toBe(MailError);
  expect(new MimeError('invalid-value', 'x')).toBeInstanceOf(MailError);
  expect(new StoreError('io', 'x')).toBeInstanceOf(MailError);
  expect(new QueueError('io', 'x')).toBeInstanceOf(MailError);
});
