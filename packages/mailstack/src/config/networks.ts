/**
 * IP networks for `mynetworks` (Postfix semantics: clients that may relay without AUTH).
 * Addresses become 16-byte arrays; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d, RFC 4291
 * §2.5.5.2), so "127.0.0.0/8" also matches a dual-stack socket's "::ffff:127.0.0.1".
 */
import { isIPv4, isIPv6 } from 'node:net';

const MAPPED_PREFIX_BITS = 96;

function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

/** The 16 bytes of an IPv4 or IPv6 address (IPv4 as ::ffff:a.b.c.d), or undefined if invalid. */
export function parseIp(text: string): Uint8Array | undefined {
  const address = text.replace(/%.*$/, ''); // an IPv6 zone ("fe80::1%eth0") does not change the address
  if (isIPv4(address)) return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...ipv4Bytes(address)]);
  if (!isIPv6(address)) return undefined;
  let body = address;
  const tail: number[] = [];
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    tail.push(...ipv4Bytes(dotted[1]!));
    body = `${address.slice(0, dotted.index)}:0:0`; // placeholder groups, replaced below
  }
  const [head, rest] = body.split('::') as [string, string | undefined];
  const groups = (part: string | undefined): number[] => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(rest);
  const words = rest === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  });
  if (tail.length === 4) bytes.set(tail, 12);
  return bytes;
}

/** One parsed network: the address (16 bytes) and how many leading bits must match. */
export interface IpNetwork {
  source: string;
  address: Uint8Array;
  prefixBits: number;
}

function matches(network: IpNetwork, address: Uint8Array): boolean {
  const fullBytes = network.prefixBits >> 3;
  for (let i = 0; i < fullBytes; i++) if (network.address[i] !== address[i]) return false;
  const restBits = network.prefixBits & 7;
  if (restBits === 0) return true;
  const mask = (0xff << (8 - restBits)) & 0xff;
  return (network.address[fullBytes]! & mask) === (address[fullBytes]! & mask);
}

/** Parse "a.b.c.d/n", "x::y/n" or a bare address; undefined when malformed. */
export function parseNetwork(text: string): IpNetwork | undefined {
  const [addressText, prefixText, extra] = text.trim().split('/');
  if (addressText === undefined || extra !== undefined) return undefined;
  const address = parseIp(addressText);
  if (!address) return undefined;
  const v4 = isIPv4(addressText);
  const maxBits = v4 ? 32 : 128;
  const prefix = prefixText === undefined ? maxBits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= maxBits)) return undefined;
  return { source: text, address, prefixBits: v4 ? MAPPED_PREFIX_BITS + prefix : prefix };
}

/** A list of networks with a membership test. */
export class NetworkList {
  readonly #networks: readonly IpNetwork[];

  constructor(networks: readonly IpNetwork[]) {
    this.#networks = networks;
  }

  /** The networks as written in the config. */
  get entries(): string[] {
    return this.#networks.map((n) => n.source);
  }

  /** Is this client address inside one of the networks? Invalid addresses are not. */
  inNetworks(ip: string): boolean {
    const address = parseIp(ip);
    return address !== undefined && this.#networks.some((network) => matches(network, address));
  }
}
