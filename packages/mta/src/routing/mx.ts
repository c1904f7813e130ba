/**
 * From a next-hop host to the ordered list of addresses to try, RFC 5321 §5.1:
 *
 * - MX records sorted by preference; equal preferences in random order (the injected `random`,
 *   so tests are deterministic) to spread the load.
 * - No MX records (NODATA): the implicit MX, the domain itself at preference 0.
 * - A single MX "." is a null MX (RFC 7505 §3): the domain accepts no mail, 556 5.1.10.
 * - Our own host names among the MX hosts: every record at that preference or above is dropped
 *   (§5.1 "the SMTP client MUST ... discard"), and nothing left means a mail loop (5.4.6).
 * - NXDOMAIN of the recipient domain is permanent (5.1.2); a lookup that failed (SERVFAIL,
 *   timeout) is transient (4.4.3). A configured next hop (transport map, relayhost) that does not
 *   resolve is treated as transient: an operator's typo should delay mail, not bounce it all.
 */
import { mtaReply, type MtaReply } from './reply.js';
import { classifyDnsError, type MxRecord, type Resolver } from './resolver.js';

/** One address to connect to, with the MX host it came from. */
export interface Hop {
  host: string;
  port: number;
  address: string;
  preference: number;
}

/** The addresses to try in order, or why there are none (permanent when the code is 5xx). */
export type HopLookup = { ok: true; hops: Hop[] } | { ok: false; reply: MtaReply };

/** Address family order (Postfix smtp_address_preference; ipv4 first is our default). */
export type AddressPreference = 'ipv4' | 'ipv6';

/** What hop lookup needs besides the host. */
export interface HopLookupContext {
  resolver: Resolver;
  /** Uniform in [0, 1): shuffles MX hosts of equal preference. */
  random: () => number;
  /** Our own host names, lower case without trailing dot (mail loop detection). */
  myHostnames: ReadonlySet<string>;
  /** At most this many addresses (Postfix smtp_mx_address_limit, default 5). */
  maxAddresses: number;
  addressPreference: AddressPreference;
}

/** The host to look up: `mxLookup` false for `[host]` next hops; `configured` for transport/relayhost. */
export interface HopTarget {
  host: string;
  port: number;
  mxLookup: boolean;
  configured: boolean;
}

/** Resolve a next hop to the ordered addresses to try (RFC 5321 §5.1). */
export async function lookupHops(target: HopTarget, ctx: HopLookupContext): Promise<HopLookup> {
  const literal = addressLiteral(target.host);
  if (literal !== undefined) return { ok: true, hops: [{ host: target.host, port: target.port, address: literal, preference: 0 }] };
  const host = normalise(target.host);
  let records: MxRecord[];
  if (!target.mxLookup) {
    records = [{ exchange: host, priority: 0 }];
  } else {
    const mx = await lookupMx(host, target.configured, ctx.resolver);
    if (!mx.ok) return mx;
    records = mx.records;
  }
  const usable = dropSelfAndAbove(records, ctx.myHostnames);
  if (usable.length === 0) return fail(550, '5.4.6', `mail for ${host} loops back to myself`);
  const hops: Hop[] = [];
  let transient = false;
  for (const record of orderRecords(usable, ctx.random)) {
    if (hops.length >= ctx.maxAddresses) break;
    const found = await lookupAddresses(record.exchange, ctx);
    if (found === 'transient') transient = true;
    else for (const address of found) hops.push({ host: record.exchange, port: target.port, address, preference: record.priority });
  }
  if (hops.length > 0) return { ok: true, hops: hops.slice(0, ctx.maxAddresses) };
  if (transient || target.configured) return fail(451, '4.4.3', `Host or domain name lookup failure for ${host}`);
  return fail(550, '5.4.4', `Host or domain name not found: no address for ${host}`);
}

type MxLookup = { ok: true; records: MxRecord[] } | { ok: false; reply: MtaReply };

async function lookupMx(domain: string, configured: boolean, resolver: Resolver): Promise<MxLookup> {
  let records: MxRecord[];
  try {
    records = await resolver.resolveMx(domain);
  } catch (err) {
    const kind = classifyDnsError(err);
    if (kind === 'nodata') return { ok: true, records: [{ exchange: domain, priority: 0 }] };
    if (kind === 'nxdomain' && !configured) return fail(550, '5.1.2', `Host or domain name not found: ${domain}`);
    return fail(451, '4.4.3', `Host or domain name lookup failure for ${domain}`);
  }
  // RFC 5321 §5.1: an empty answer is treated as the implicit MX.
  if (records.length === 0) return { ok: true, records: [{ exchange: domain, priority: 0 }] };
  const real = records.filter((r) => normalise(r.exchange) !== '');
  // RFC 7505 §3: a lone "." MX says the domain accepts no mail; §4.3: 556 with 5.1.10.
  if (real.length === 0) return fail(556, '5.1.10', `Domain ${domain} does not accept mail (nullMX)`);
  return { ok: true, records: real.map((r) => ({ exchange: normalise(r.exchange), priority: r.priority })) };
}

// RFC 5321 §5.1: "If the SMTP client finds its own name among the MX hosts, it MUST discard that
// record and any with a higher preference value."
function dropSelfAndAbove(records: MxRecord[], myHostnames: ReadonlySet<string>): MxRecord[] {
  const own = records.filter((r) => myHostnames.has(r.exchange)).map((r) => r.priority);
  if (own.length === 0) return records;
  const limit = Math.min(...own);
  return records.filter((r) => r.priority < limit);
}

function orderRecords(records: MxRecord[], random: () => number): MxRecord[] {
  const sorted = [...records].sort((a, b) => a.priority - b.priority);
  for (let start = 0; start < sorted.length; ) {
    let end = start + 1;
    while (end < sorted.length && sorted[end]?.priority === sorted[start]?.priority) end++;
    shuffleRange(sorted, start, end, random);
    start = end;
  }
  return sorted;
}

// Fisher–Yates on sorted[start, end).
function shuffleRange<T>(items: T[], start: number, end: number, random: () => number): void {
  for (let i = end - 1; i > start; i--) {
    const j = start + Math.floor(random() * (i - start + 1));
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
}

async function lookupAddresses(host: string, ctx: HopLookupContext): Promise<string[] | 'transient'> {
  const literal = addressLiteral(host);
  if (literal !== undefined) return [literal];
  const [v4, v6] = await Promise.all([settle(ctx.resolver.resolve4(host)), settle(ctx.resolver.resolve6(host))]);
  const found = ctx.addressPreference === 'ipv4' ? [...v4.addresses, ...v6.addresses] : [...v6.addresses, ...v4.addresses];
  if (found.length > 0) return found;
  return v4.transient || v6.transient ? 'transient' : [];
}

async function settle(lookup: Promise<string[]>): Promise<{ addresses: string[]; transient: boolean }> {
  try {
    return { addresses: await lookup, transient: false };
  } catch (err) {
    return { addresses: [], transient: classifyDnsError(err) === 'transient' };
  }
}

/** An IP address given as a host (`192.0.2.1`, `::1`, `[IPv6:2001:db8::1]`), else undefined. */
export function addressLiteral(host: string): string | undefined {
  const inner = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1).replace(/^ipv6:/i, '') : host;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(inner)) return inner;
  if (inner.includes(':') && /^[0-9A-Fa-f:.]+$/.test(inner)) return inner.toLowerCase();
  return undefined;
}

function normalise(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

function fail(code: number, enhanced: string, text: string): { ok: false; reply: MtaReply } {
  return { ok: false, reply: mtaReply(code, enhanced, text) };
}
