// RFC 5034 §4: "servers and clients MUST reject (and not ignore) any character not explicitly
// allowed by the Base64 alphabet, and MUST reject any sequence of Base64 characters that contains
// the pad character ('=') anywhere other than the end of the string". Node's decoder skips bad
// characters silently, so the text is checked against the RFC 5034 §5 grammar first.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes canonical base64 (RFC 4648 §4); undefined when the text does not follow RFC 5034 §5. */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const buf = Buffer.from(text, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/** Encodes bytes as base64 with padding (RFC 4648 §4). */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
}
