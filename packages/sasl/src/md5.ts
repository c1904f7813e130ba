/**
 * MD5 (RFC 1321) with an exportable intermediate state. node:crypto cannot export or import a
 * hash midstate, but Dovecot's {CRAM-MD5} password scheme stores exactly that: the HMAC-MD5
 * (RFC 2104) inner and outer states after the 64-byte padded key block, so the server can
 * verify CRAM-MD5 (RFC 2195) without keeping the plaintext password.
 */

// RFC 1321 §3.4: per-round shift amounts and T[i] = floor(2^32 * abs(sin(i + 1))).
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const T = Uint32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32));
const INITIAL_STATE = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
const BLOCK_BYTES = 64;

/** The four 32-bit chaining words A, B, C, D of an MD5 computation. */
export type Md5State = Uint32Array;

export function md5InitialState(): Md5State {
  return Uint32Array.from(INITIAL_STATE);
}

/** RFC 1321 §3.4: process one 64-byte block into the state, in place. */
export function md5Compress(state: Md5State, block: Uint8Array, offset: number): void {
  const x = new Uint32Array(16);
  for (let i = 0; i < 16; i++) {
    const p = offset + i * 4;
    x[i] = block[p]! | (block[p + 1]! << 8) | (block[p + 2]! << 16) | (block[p + 3]! << 24);
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  for (let i = 0; i < 64; i++) {
    const round = i >> 4;
    let f: number;
    let g: number;
    if (round === 0) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (round === 1) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) % 16;
    } else if (round === 2) {
      f = b ^ c ^ d;
      g = (3 * i + 5) % 16;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) % 16;
    }
    const s = SHIFTS[round * 4 + (i % 4)]!;
    const sum = (a + f + T[i]! + x[g]!) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
  }
  state[0] = state[0]! + a;
  state[1] = state[1]! + b;
  state[2] = state[2]! + c;
  state[3] = state[3]! + d;
}

/**
 * Finish an MD5 computation from a midstate: `priorBytes` (a multiple of 64) were already
 * compressed into `state`; `data` is the rest of the message. Returns the 16-byte digest.
 */
export function md5Finish(state: Md5State, priorBytes: number, data: Uint8Array): Uint8Array {
  const st = Uint32Array.from(state);
  const fullBlocks = Math.floor(data.length / BLOCK_BYTES);
  for (let i = 0; i < fullBlocks; i++) md5Compress(st, data, i * BLOCK_BYTES);
  // RFC 1321 §3.1-3.2: a 1 bit, zeros to 56 mod 64, then the bit length little-endian.
  const rest = data.length - fullBlocks * BLOCK_BYTES;
  const tail = new Uint8Array(rest < 56 ? BLOCK_BYTES : 2 * BLOCK_BYTES);
  tail.set(data.subarray(fullBlocks * BLOCK_BYTES));
  tail[rest] = 0x80;
  const bitLength = (priorBytes + data.length) * 8;
  const view = new DataView(tail.buffer);
  view.setUint32(tail.length - 8, bitLength >>> 0, true);
  view.setUint32(tail.length - 4, Math.floor(bitLength / 2 ** 32), true);
  for (let off = 0; off < tail.length; off += BLOCK_BYTES) md5Compress(st, tail, off);
  const digest = new Uint8Array(16);
  const out = new DataView(digest.buffer);
  for (let i = 0; i < 4; i++) out.setUint32(i * 4, st[i]!, true);
  return digest;
}
