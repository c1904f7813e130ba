/**
 * IP networks for mynetworks (Postfix mynetworks syntax): `192.0.2.0/24`, `127.0.0.1`,
 * `2001:db8::/32`, `[::1]/128`. Addresses are compared as integers (32 or 128 bits). An
 * IPv4-mapped IPv6 client (`::ffff:192.0.2.1`, what a dual-stack socket reports) matches IPv4
 * networks. Like Postfix, a network with host bits set (`192.0.2.1/24`) is a configuration error:
 * it is almost always a typo.
 */
import { MtaConfigError } from '../routing/errors.js';

/** A parsed IP address: family and value as an unsigned integer. */
export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

/** Parse an IPv4 or IPv6 address (IPv4-mapped IPv6 becomes IPv4; a `%zone` is dropped). */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(text.replace(/%.*$/, ''));
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

/** Format an address: dotted quad, or eight uncompressed lower-case hex groups for IPv6. */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    const v = Number(ip.value);
    return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
  }
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((ip.value >> shift) & 0xffffn).toString(16));
  return groups.join(':');
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  // Summed as a Number (32 bits fit exactly), one BigInt at the end: a BigInt per octet cost more
  // than the rest of the parse.
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return BigInt(value);
}

// RFC 4291 §2.2: eight groups of up to four hex digits, one "::" for a run of zeros, and an
// optional dotted IPv4 in the last 32 bits.
function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

interface Network {
  family: 4 | 6;
  base: bigint;
  mask: bigint;
}

// A server asks about the same client several times per message (connect, MAIL, RCPT,
// disconnect; the relay policy and the rate limiter's exceptions), and parsing an address into a
// BigInt each time cost ~3 µs: answers are remembered per address text, for this many addresses
// at most (then forgotten all at once, so a spray of addresses cannot grow the table).
const REMEMBERED_ADDRESSES = 4096;

/** A list of IP networks, as Postfix mynetworks. */
export class NetworkList {
  /** The networks as written (white space trimmed), e.g. for a config dump. */
  readonly entries: readonly string[];
  readonly #networks: Network[];
  readonly #answers = new Map<string, boolean>();

  /** Throws MtaConfigError naming `source` and the entry for a malformed network. */
  constructor(entries: readonly string[], source = 'mynetworks') {
    this.entries = entries.map((entry) => entry.trim());
    this.#networks = entries.map((entry) => parseNetwork(entry, source));
  }

  /** Whether the client address is inside one of the networks. */
  contains(address: string): boolean {
    if (this.#networks.length === 0) return false;
    let answer = this.#answers.get(address);
    if (answer === undefined) {
      answer = this.#match(address);
      if (this.#answers.size >= REMEMBERED_ADDRESSES) this.#answers.clear();
      this.#answers.set(address, answer);
    }
    return answer;
  }

  #match(address: string): boolean {
    const ip = parseIp(address.replace(/^\[|\]$/g, ''));
    if (!ip) return false;
    return this.#networks.some((n) => n.family === ip.family && (ip.value & n.mask) === n.base);
  }
}

function parseNetwork(entry: string, source: string): Network {
  const m = /^\[?([^\]/]+)\]?(?:\/(\d{1,3}))?$/.exec(entry.trim());
  const ip = m ? parseIp(m[1] ?? '') : undefined;
  if (!m || !ip) throw new MtaConfigError('invalid-value', `${source}: bad network "${entry}"`);
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = m[2] === undefined ? bits : Number(m[2]);
  // An IPv4-mapped entry keeps its IPv6 prefix length: ::ffff:10.0.0.0/104 is 10.0.0.0/8.
  const mapped = ip.family === 4 && (m[1] ?? '').includes(':');
  const length = mapped ? prefix - 96 : prefix;
  if (length < 0 || length > bits) throw new MtaConfigError('invalid-value', `${source}: bad prefix length in "${entry}"`);
  const mask = length === 0 ? 0n : ((1n << BigInt(length)) - 1n) << BigInt(bits - length);
  if ((ip.value & ~mask & ((1n << BigInt(bits)) - 1n)) !== 0n) {
    throw new MtaConfigError('invalid-value', `${source}: non-null host address bits in "${entry}"`);
  }
  return { family: ip.family, base: ip.value, mask };
}
