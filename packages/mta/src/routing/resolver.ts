/**
 * DNS as the router sees it: the three lookups of RFC 5321 §5.1, with the shape of Node's
 * `dns.promises.Resolver` so `mailstack` can pass one directly (the mta package does no I/O).
 * Failures are rejected promises whose `code` follows Node/c-ares: ENOTFOUND = NXDOMAIN,
 * ENODATA = the name exists without records of that type, anything else (ESERVFAIL, ETIMEOUT,
 * ECONNREFUSED, ...) is a failure of the lookup itself and therefore transient.
 */

/** One MX record; `exchange` is "" for the null MX "." (RFC 7505). */
export interface MxRecord {
  exchange: string;
  priority: number;
}

/** The DNS lookups routing needs (compatible with node:dns/promises `Resolver`). */
export interface Resolver {
  resolveMx(name: string): Promise<MxRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

/** How a DNS lookup failed: the name does not exist, has no such records, or the lookup failed. */
export type DnsFailure = 'nxdomain' | 'nodata' | 'transient';

/** Classify a rejected lookup by its Node error code. */
export function classifyDnsError(err: unknown): DnsFailure {
  const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
  if (code === 'ENOTFOUND') return 'nxdomain';
  if (code === 'ENODATA') return 'nodata';
  return 'transient';
}
