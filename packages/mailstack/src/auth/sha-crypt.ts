/**
 * SHA-crypt, the $5$ (SHA-256) and $6$ (SHA-512) password hashes of glibc crypt(3), as
 * specified by Ulrich Drepper ("Unix crypt using SHA-256 and SHA-512", 2008). The steps below
 * carry the specification's numbers. Output: "$6$[rounds=N$]salt$hash".
 */
import { createHash } from 'node:crypto';

export type ShaCryptAlgorithm = 'sha256' | 'sha512';

const PREFIX: Record<ShaCryptAlgorithm, string> = { sha256: '$5$', sha512: '$6$' };
const DEFAULT_ROUNDS = 5000;
const MIN_ROUNDS = 1000;
const MAX_ROUNDS = 999_999_999;
const MAX_SALT_CHARS = 16;
const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// Steps 22 d/e: the byte order of the final base-64 encoding, three bytes per group.
const ORDER: Record<ShaCryptAlgorithm, number[][]> = {
  sha256: [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29], [31, 30]],
  sha512: [
    [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
    [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41], [63],
  ],
};

function repeatTo(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += source.length) source.copy(out, i, 0, Math.min(source.length, length - i));
  return out;
}

function encode(algorithm: ShaCryptAlgorithm, digest: Buffer): string {
  let text = '';
  for (const group of ORDER[algorithm]) {
    // Groups list bytes most significant first; 4 characters for 3 bytes, fewer for the tail.
    let value = 0;
    for (const index of group) value = value * 256 + digest[index]!;
    const chars = group.length === 3 ? 4 : group.length === 2 ? 3 : 2;
    for (let i = 0; i < chars; i++) {
      text += ALPHABET[value & 0x3f];
      value = Math.floor(value / 64);
    }
  }
  return text;
}

export interface ShaCryptSettings {
  algorithm: ShaCryptAlgorithm;
  salt: string;
  rounds: number | undefined; // undefined: the default 5000, not written in the output
}

/** Parse the "$6$[rounds=N$]salt" part of a hash or a settings string; undefined if not SHA-crypt. */
export function parseShaCryptSettings(text: string): ShaCryptSettings | undefined {
  const match = /^\$([56])\$(?:rounds=(\d+)\$)?([^$]*)/.exec(text);
  if (!match) return undefined;
  const rounds = match[2] === undefined ? undefined : Math.min(MAX_ROUNDS, Math.max(MIN_ROUNDS, Number(match[2])));
  return { algorithm: match[1] === '5' ? 'sha256' : 'sha512', salt: match[3]!.slice(0, MAX_SALT_CHARS), rounds };
}

// Rounds between two yields of shaCryptSteps: about a millisecond of work.
const ROUNDS_PER_SLICE = 200;

/**
 * The computation as a generator that yields every ROUNDS_PER_SLICE rounds and returns the
 * hash, so that a server can spread its 5000+ rounds over several event-loop turns.
 */
function* shaCryptSteps(password: string, settings: ShaCryptSettings): Generator<void, string, void> {
  const { algorithm } = settings;
  const hash = () => createHash(algorithm);
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(settings.salt.slice(0, MAX_SALT_CHARS), 'utf8');
  const rounds = settings.rounds ?? DEFAULT_ROUNDS;
  // Steps 4-8: digest B = H(P S P).
  const B = hash().update(P).update(S).update(P).digest();
  // Steps 1-3, 9-12: digest A.
  const a = hash().update(P).update(S).update(repeatTo(B, P.length));
  for (let n = P.length; n > 0; n >>= 1) a.update(n & 1 ? B : P);
  const A = a.digest();
  // Steps 13-16: P sequence from DP = H(P repeated |P| times).
  const dp = hash();
  for (let i = 0; i < P.length; i++) dp.update(P);
  const Pseq = repeatTo(dp.digest(), P.length);
  // Steps 17-20: S sequence from DS = H(S repeated 16 + A[0] times).
  const ds = hash();
  for (let i = 0; i < 16 + A[0]!; i++) ds.update(S);
  const Sseq = repeatTo(ds.digest(), S.length);
  // Step 21: the rounds. Each round's input is assembled in one buffer and hashed with a single
  // update: per-call overhead of node:crypto dominates the cost of these short inputs.
  let C = A;
  const input = Buffer.alloc(2 * C.length + 2 * P.length + S.length);
  for (let i = 0; i < rounds; i++) {
    let n = (i & 1 ? Pseq : C).copy(input, 0);
    if (i % 3) n += Sseq.copy(input, n);
    if (i % 7) n += Pseq.copy(input, n);
    n += (i & 1 ? C : Pseq).copy(input, n);
    C = createHash(algorithm).update(input.subarray(0, n)).digest();
    if (i % ROUNDS_PER_SLICE === ROUNDS_PER_SLICE - 1) yield;
  }
  const roundsPart = settings.rounds === undefined ? '' : `rounds=${rounds}$`;
  return `${PREFIX[algorithm]}${roundsPart}${settings.salt.slice(0, MAX_SALT_CHARS)}$${encode(algorithm, C)}`;
}

/** The SHA-crypt hash of a password with the given settings. */
export function shaCrypt(password: string, settings: ShaCryptSettings): string {
  const steps = shaCryptSteps(password, settings);
  for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
}

/** shaCrypt without blocking the event loop for more than about a millisecond at a time. */
export async function shaCryptAsync(password: string, settings: ShaCryptSettings): Promise<string> {
  const steps = shaCryptSteps(password, settings);
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A random salt of 16 characters from the crypt alphabet. */
export function shaCryptSalt(random: Uint8Array): string {
  return Array.from(random.subarray(0, MAX_SALT_CHARS), (byte) => ALPHABET[byte & 0x3f]).join('');
}
