/**
 * Strict base64 for SASL exchanges (RFC 4954 §4: reject any character outside the alphabet and any
 * "=" that is not trailing padding). Uses atob/btoa so the core runs outside Node too.
 */

const STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decode strict base64; `undefined` when the text is not canonical base64. */
export function decodeBase64(s: string): Uint8Array | undefined {
  if (!STRICT.test(s)) return undefined;
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Encode bytes as base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}
