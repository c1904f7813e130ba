// What the builder builds from: a description of the message and the world it may not look at
// itself (STYLE.md §1: mime keeps no clock and draws no randomness, so both come in here).
import type { Address, Mailbox } from '../headers/addresses.js';
import type { TransferEncoding } from '../transfer/encode-transfer.js';

/** Body content: bytes, a string (written as UTF-8), or a stream of bytes read once. */
export type PartContent = Uint8Array | string | AsyncIterable<Uint8Array>;

/** An attachment, an inline related part (with `contentId`), or a forwarded message. */
export interface AttachmentDescription {
  content: PartContent;
  /** File name; RFC 2231 in Content-Disposition, an RFC 2047 word in Content-Type `name`. */
  filename?: string;
  /** Media type with parameters, e.g. `application/pdf` (default application/octet-stream); text/* given as a string is labelled charset=utf-8. */
  contentType?: string;
  /** Content-ID (angle brackets optional); with `inline` it makes a multipart/related part of the HTML. */
  contentId?: string;
  /** RFC 2183 disposition (default: `inline` when contentId is set, else `attachment`). */
  disposition?: 'attachment' | 'inline';
  /** Forces the transfer encoding; by default chosen from the content (streams: base64). */
  transferEncoding?: TransferEncoding;
}

/**
 * One more header field (e.g. List-Id, X-Mailer); the value is unstructured text, encoded as
 * needed. Fields the builder writes itself (From, Subject, Content-*, ...) are refused.
 */
export interface ExtraHeader {
  name: string;
  value: string;
}

/** The message to build. Bcc is never written (the envelope carries it). */
export interface MessageDescription {
  from: Mailbox | Address[];
  sender?: Mailbox;
  to?: Address[];
  cc?: Address[];
  replyTo?: Address[];
  subject?: string;
  /** Default: BuildOptions.now. */
  date?: Date;
  /** With or without angle brackets; default: generated from now, random and messageIdDomain. */
  messageId?: string;
  inReplyTo?: string[];
  references?: string[];
  headers?: ExtraHeader[];
  text?: string;
  html?: string;
  attachments?: AttachmentDescription[];
  /** A message forwarded as message/rfc822 (RFC 2046 §5.2.1), after the attachments. */
  forward?: PartContent;
}

/** The outside world the builder needs: time and randomness are arguments (STYLE.md §1). */
export interface BuildOptions {
  now: Date;
  /** Returns `size` random bytes (e.g. node:crypto randomBytes); used for Message-ID and boundaries. */
  random: (size: number) => Uint8Array;
  /** Domain part of generated Message-IDs (RFC 5322 §3.6.4), e.g. the host name. */
  messageIdDomain: string;
  /** RFC 6532: write non-ASCII header text as raw UTF-8 (only for SMTPUTF8 transport). */
  utf8?: boolean;
}
