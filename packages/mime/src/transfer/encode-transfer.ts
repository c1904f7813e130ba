// The streaming contract of the Content-Transfer-Encoding encoders (RFC 2045 §6) and the choice
// between them, mirroring decode-transfer.ts.
import { createBase64Encoder } from './encode-base64.js';
import { createQuotedPrintableEncoder } from './encode-quoted-printable.js';

/** A streaming Content-Transfer-Encoding encoder: feed body bytes in any chunking. */
export interface TransferEncoder {
  /** Encodes as much of `bytes` (plus any carried tail) as can be encoded now. */
  update(bytes: Uint8Array): Uint8Array;
  /** Encodes the carried tail. The output never ends in CRLF unless the input did (QP text). */
  finish(): Uint8Array;
}

/** The transfer encodings the builder writes (RFC 2045 §6.1). */
export type TransferEncoding = '7bit' | '8bit' | 'binary' | 'quoted-printable' | 'base64';

const identity: TransferEncoder = { update: (bytes) => bytes, finish: () => new Uint8Array(0) };

/**
 * Creates the encoder for `encoding`. `text` selects QP text mode (CRLF stays a line break,
 * RFC 2045 §6.7 rule 4); without it CR and LF are encoded as =0D and =0A.
 */
export function createTransferEncoder(encoding: TransferEncoding, text = true): TransferEncoder {
  if (encoding === 'base64') return createBase64Encoder();
  if (encoding === 'quoted-printable') return createQuotedPrintableEncoder({ text });
  return identity;
}

/** Pipes `source` through `encoder`, yielding non-empty encoded chunks. */
export async function* encodeStream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  encoder: TransferEncoder,
): AsyncIterable<Uint8Array> {
  for await (const chunk of source) {
    const out = encoder.update(chunk);
    if (out.length > 0) yield out;
  }
  const tail = encoder.finish();
  if (tail.length > 0) yield tail;
}
