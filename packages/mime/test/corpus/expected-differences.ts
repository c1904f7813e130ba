// Differences between our parse() and npm mailparser 3.14 on the corpus, each with its reason.
// Checked by test/differential.test.ts in both directions (a new difference fails, and so does a
// listed one that has gone away).
import type { Field } from '../differential.test.js';

export interface ExpectedDifference {
  file: string;
  field: Field;
  reason: string;
}

const RFC822 =
  'message/rfc822 parts are parsed into their parts (IMAP BODYSTRUCTURE needs them): their text joins `text`, their leaves join `attachments`; mailparser returns the encapsulated message as one raw attachment';
const META = 'mailparser writes the embedded messages\' header lines (From/To/Subject) into `text` (its showMeta); we do not synthesise text';
const DSN = 'message/delivery-status (RFC 3464) is machine-readable: we list it as an attachment, mailparser folds it into `text`';
const US_ASCII =
  'us-ascii/unlabelled 8-bit text that is not valid UTF-8: we decode it as windows-1252 (readable), mailparser as UTF-8 with U+FFFD replacements';
const NON_FIELD =
  'a line that is not a header field ends the header block and starts the body (Python email does the same, MissingHeaderBodySeparatorDefect); mailparser loses the body';
const BAD_TYPE =
  'an invalid Content-Type ("text" without subtype, "<html>") falls back to text/plain (RFC 2045 §5.2, as Python does); mailparser keeps the bogus type and makes the part an attachment';
const DIGEST =
  'multipart/digest parts default to message/rfc822 (RFC 2046 §5.1.5) and are parsed as messages; mailparser treats them as text/plain and includes their header lines, or skips them';

export const EXPECTED_DIFFERENCES: ExpectedDifference[] = [
  { file: 'enmime/mail--epilogue-sample.raw', field: 'attachments', reason: 'the close delimiter "--b-->" has trailing junk; we take it as the close delimiter (boundary.ts junkAfterClose) so the base64 part decodes to "<html>\\n"; mailparser decodes the delimiter and epilogue into the attachment too' },
  { file: 'enmime/mail--erroneous.raw', field: 'text', reason: NON_FIELD },
  { file: 'enmime/mail--qp-utf8-header-no-break.raw', field: 'text', reason: NON_FIELD },
  { file: 'enmime/parts--chardet-fail.raw', field: 'text', reason: US_ASCII },
  { file: 'enmime/parts--chardet-success-big-5.raw', field: 'text', reason: `${US_ASCII} (the text is Big5; we do not guess charsets, enmime does)` },
  { file: 'enmime/parts--chardet-success-iso-8859-1.raw', field: 'text', reason: US_ASCII },
  { file: 'enmime/parts--empty-ctype-bad-content.raw', field: 'attachments', reason: BAD_TYPE },
  { file: 'enmime/parts--empty-ctype-bad-content.raw', field: 'text', reason: BAD_TYPE },
  { file: 'python-test_email/msg_02.txt', field: 'text', reason: DIGEST },
  { file: 'python-test_email/msg_05.txt', field: 'attachments', reason: RFC822 },
  { file: 'python-test_email/msg_05.txt', field: 'from', reason: 'From: foo (no "@"): our parseAddressList keeps the word as the address, mailparser as a display name with an empty address' },
  { file: 'python-test_email/msg_05.txt', field: 'text', reason: RFC822 },
  { file: 'python-test_email/msg_05.txt', field: 'to', reason: 'To: baz (no "@"): kept as the address by us, as a display name by mailparser' },
  { file: 'python-test_email/msg_06.txt', field: 'attachments', reason: RFC822 },
  { file: 'python-test_email/msg_10.txt', field: 'text', reason: 'RFC 2046 §5.1.1: the CRLF before a delimiter belongs to the delimiter, so the 7bit part ends without it; mailparser keeps it, and the joined text has one newline more' },
  { file: 'python-test_email/msg_11.txt', field: 'attachments', reason: RFC822 },
  { file: 'python-test_email/msg_11.txt', field: 'text', reason: RFC822 },
  { file: 'python-test_email/msg_14.txt', field: 'attachments', reason: BAD_TYPE },
  { file: 'python-test_email/msg_14.txt', field: 'text', reason: BAD_TYPE },
  { file: 'python-test_email/msg_15.txt', field: 'to', reason: 'To: XX (no "@"): kept as the address by us, as a display name by mailparser' },
  { file: 'python-test_email/msg_16.txt', field: 'attachments', reason: `${DSN}; ${RFC822}` },
  { file: 'python-test_email/msg_16.txt', field: 'text', reason: `${DSN}; ${META}` },
  { file: 'python-test_email/msg_19.txt', field: 'text', reason: DIGEST },
  { file: 'python-test_email/msg_27.txt', field: 'subject', reason: 'unfolding removes only the CRLF and keeps the tab (RFC 5322 §2.2.3); mailparser turns the tab into a space' },
  { file: 'python-test_email/msg_28.txt', field: 'attachments', reason: DIGEST },
  { file: 'python-test_email/msg_28.txt', field: 'text', reason: DIGEST },
  { file: 'python-test_email/msg_30.txt', field: 'text', reason: DIGEST },
  { file: 'python-test_email/msg_34.txt', field: 'text', reason: META },
  { file: 'python-test_email/msg_35.txt', field: 'text', reason: NON_FIELD },
  { file: 'python-test_email/msg_38.txt', field: 'text', reason: 'delimiter lines with trailing spaces are delimiters (RFC 2046 §5.1.1 transport-padding; Python agrees), so the "very tricky" text part ends early; mailparser does not take them' },
  { file: 'python-test_email/msg_42.txt', field: 'attachments', reason: RFC822 },
  { file: 'python-test_email/msg_43.txt', field: 'attachments', reason: DSN },
  { file: 'python-test_email/msg_43.txt', field: 'text', reason: DSN },
  { file: 'python-test_email/msg_46.txt', field: 'attachments', reason: RFC822 },
  { file: 'python-test_email/msg_46.txt', field: 'text', reason: RFC822 },
  { file: 'python-test_email/msg_47.txt', field: 'text', reason: NON_FIELD },
];
