import type { MxRecord, Resolver } from '@mailstack/mta';

/** A DNS zone for tests: a missing name is NXDOMAIN; a name listed with `fail` is SERVFAIL. */
export interface Zone {
  mx?: Record<string, MxRecord[]>;
  a?: Record<string, string[]>;
  aaaa?: Record<string, string[]>;
  /** Names that exist with no records at all (NODATA for every type). */
  exists?: string[];
  /** Names whose lookups fail with the given code (ESERVFAIL, ETIMEOUT, ...). */
  fail?: Record<string, string>;
}

function dnsError(code: string, name: string): Error {
  return Object.assign(new Error(`${code} ${name}`), { code });
}

/** A Resolver over a fixed zone, recording each query. */
export function fakeResolver(zone: Zone): Resolver & { queries: string[] } {
  const queries: string[] = [];
  const names = new Set([
    ...Object.keys(zone.mx ?? {}),
    ...Object.keys(zone.a ?? {}),
    ...Object.keys(zone.aaaa ?? {}),
    ...(zone.exists ?? []),
  ]);
  function lookup<T>(type: string, table: Record<string, T[]> | undefined, name: string): Promise<T[]> {
    queries.push(`${type} ${name}`);
    const failure = zone.fail?.[name];
    if (failure) return Promise.reject(dnsError(failure, name));
    const records = table?.[name];
    if (records) return Promise.resolve(records);
    return Promise.reject(dnsError(names.has(name) ? 'ENODATA' : 'ENOTFOUND', name));
  }
  return {
    queries,
    resolveMx: (name) => lookup('MX', zone.mx, name),
    resolve4: (name) => lookup('A', zone.a, name),
    resolve6: (name) => lookup('AAAA', zone.aaaa, name),
  };
}
