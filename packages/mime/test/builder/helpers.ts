import type { BuildOptions } from '../../src/builder/types.js';

/** A deterministic random source for tests: a counter, so boundaries and ids differ per call. */
export function counterRandom(seed = 1): (size: number) => Uint8Array {
  let n = seed;
  return (size) => Uint8Array.from({ length: size }, () => (n = (n * 1103515245 + 12345) >>> 0) >>> 24);
}

export const options = (): BuildOptions => ({
  now: new Date('2026-11-26T15:00:00Z'),
  random: counterRandom(),
  messageIdDomain: 'mx.example.test',
});

export const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
