/**
 * HMAC-MD5 (RFC 2104) split at the point Dovecot's {CRAM-MD5} scheme stores: after the padded
 * key block has gone through MD5 once for the inner and once for the outer hash. The 32-byte
 * "contexts" are the outer A,B,C,D then the inner A,B,C,D, each a little-endian 32-bit word
 * (Dovecot's hmac_md5_get_cram_context); its passwd-file shows them as 64 hex digits.
 */
import { createHash } from 'node:crypto';
import { md5Compress, md5Finish, md5InitialState, type Md5State } from './md5.js';
import { utf8 } from './bytes.js';

const BLOCK_BYTES = 64;
/** Length of the stored HMAC-MD5 contexts: two MD5 states of 16 bytes. */
export const CRAM_MD5_CONTEXTS_BYTES = 32;

function keyBlockState(key: Uint8Array, pad: number): Md5State {
  const block = new Uint8Array(BLOCK_BYTES).fill(pad);
  for (let i = 0; i < key.length; i++) block[i] = key[i]! ^ pad;
  const state = md5InitialState();
  md5Compress(state, block, 0);
  return state;
}

function writeState(out: Uint8Array, offset: number, state: Md5State): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < 4; i++) view.setUint32(offset + i * 4, state[i]!, true);
}

function readState(contexts: Uint8Array, offset: number): Md5State {
  const view = new DataView(contexts.buffer, contexts.byteOffset, contexts.byteLength);
  return Uint32Array.from({ length: 4 }, (_, i) => view.getUint32(offset + i * 4, true));
}

/** The 32-byte HMAC-MD5 contexts of a password, as Dovecot's {CRAM-MD5} scheme stores them. */
export function cramMd5Contexts(password: string): Uint8Array {
  let key = utf8(password);
  // RFC 2104 §2: keys longer than the block are hashed first.
  if (key.length > BLOCK_BYTES) key = createHash('md5').update(key).digest();
  const contexts = new Uint8Array(CRAM_MD5_CONTEXTS_BYTES);
  writeState(contexts, 0, keyBlockState(key, 0x5c));
  writeState(contexts, 16, keyBlockState(key, 0x36));
  return contexts;
}

/** HMAC-MD5 of a message, computed from stored contexts (see cramMd5Contexts). */
export function hmacMd5FromContexts(contexts: Uint8Array, message: Uint8Array): Uint8Array {
  const innerDigest = md5Finish(readState(contexts, 16), BLOCK_BYTES, message);
  return md5Finish(readState(contexts, 0), BLOCK_BYTES, innerDigest);
}
