// Queue ids: 19 characters of [0-9A-Z], sortable by creation time, unique across processes.
//
//   LHXQ2K9C0 0001 7F3KQ2
//   \-time--/ \seq/ \rand/   time: ms since the epoch, 9 base-36 digits (good until year 5138)
//                            seq: a per-process counter (4 digits, wraps at 36^4)
//                            rand: 6 random base-36 digits (31 bits), against other processes
// Digits sort before letters in ASCII, so zero-padded base 36 sorts like the numbers it encodes.
// The alphabet is safe in file names on every file system (case matters only in the digits).

import { randomInt } from 'node:crypto';

const TIME_DIGITS = 9;
const SEQ_DIGITS = 4;
const RANDOM_DIGITS = 6;
const SEQ_LIMIT = 36 ** SEQ_DIGITS;
const RANDOM_LIMIT = 36 ** RANDOM_DIGITS;
const QUEUE_ID = /^[0-9A-Z]{19}$/;

/** The parts of a queue id; `random` is below 36^6. */
export interface QueueIdParts {
  now: number;
  seq: number;
  random: number;
}

/** Format a queue id from its parts (pure). */
export function formatQueueId({ now, seq, random }: QueueIdParts): string {
  const digits = (n: number, width: number) => Math.floor(n).toString(36).toUpperCase().padStart(width, '0').slice(-width);
  return digits(now, TIME_DIGITS) + digits(seq % SEQ_LIMIT, SEQ_DIGITS) + digits(random % RANDOM_LIMIT, RANDOM_DIGITS);
}

/** True for a string shaped like a queue id (and so safe as a file name). */
export function isQueueId(name: string): boolean {
  return QUEUE_ID.test(name);
}

let processSeq = 0;

/** A new queue id for time `now` (ms), with this process's counter and fresh randomness. */
export function newQueueId(now: number): string {
  processSeq = (processSeq + 1) % SEQ_LIMIT;
  return formatQueueId({ now, seq: processSeq, random: randomInt(RANDOM_LIMIT) });
}
