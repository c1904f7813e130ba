// Choosing the Content-Transfer-Encoding decoder (RFC 2045 §6) and the streaming contract that
// decode-base64.ts and decode-quoted-printable.ts implement.
import { createBase64Decoder } from './decode-base64.js';
import { createQuotedPrintableDecoder } from './decode-quoted-printable.js';

/** A streaming Content-Transfer-Encoding decoder: feed raw body bytes in any chunking. */
export interface TransferDecoder {
  /** Decodes as much of `bytes` (plus any carried tail) as can be decoded now. */
  update(bytes: Uint8Array): Uint8Array;
  /** Decodes the carried tail at the end of the body. */
  finish(): Uint8Array;
  /** True once malformed input was seen (and decoded leniently). */
  readonly malformed: boolean;
}

// RFC 2045 §6.2: 7bit, 8bit and binary mean no transformation.
const IDENTITY = new Set(['7bit', '8bit', 'binary']);

/** Whether `encoding` (lower-cased) is an identity encoding: 7bit, 8bit or binary. */
export function isIdentityEncoding(encoding: string): boolean {
  return IDENTITY.has(encoding);
}

/**
 * The decoder for a lower-cased Content-Transfer-Encoding: a TransferDecoder for base64 and
 * quoted-printable, `undefined` for identity encodings, 'unknown' for anything else (callers
 * pass the bytes through and record `unknown-transfer-encoding`, as RFC 2045 §6.4 suggests
 * treating the body as application/octet-stream).
 */
export function createTransferDecoder(encoding: string): TransferDecoder | undefined | 'unknown' {
  if (encoding === 'base64') return createBase64Decoder();
  if (encoding === 'quoted-printable') return createQuotedPrintableDecoder();
  return IDENTITY.has(encoding) ? undefined : 'unknown';
}
