/**
 * Transport map with Postfix transport(5) semantics, for the config's `transport:` table:
 *
 *   example.org       [10.0.0.1]:2525    brackets: connect to that host or address, no MX lookup
 *   .example.org      relay.example:587  a leading dot: every subdomain; host:port = MX of host
 *   example.net       error:5.7.1 no mail here   permanent failure with that text (error(8))
 *   example.com       retry:4.4.1 down for maintenance   transient failure (Postfix retry(8))
 *   example.edu       smtp:              empty next hop: the recipient domain's own MX
 *   example.test      local:             deliver locally
 *   *                 [smarthost]        everything else
 *
 * A Postfix `transport:` prefix (smtp, relay, lmtp is not supported) is accepted and stripped, so
 * tables copied from main.cf work; a bare next hop means smtp. Lookup order is Postfix's with
 * parent_domain_matches_subdomains not covering transport_maps: the exact domain, then `.parent`
 * entries from the nearest parent up, then `*`.
 */
import { MtaConfigError } from './errors.js';

/** Where mail for a domain goes next. */
export type NextHop =
  | { kind: 'smtp'; host: string; port: number; mxLookup: boolean }
  | { kind: 'direct' } // the recipient domain's MX (empty Postfix next hop)
  | { kind: 'local' }
  | { kind: 'error'; permanent: boolean; enhanced: string; text: string };

/** Default SMTP port (RFC 5321 §4.5.4.2 "port 25"). */
export const SMTP_PORT = 25;

const TRANSPORTS = new Set(['smtp', 'relay', 'local', 'error', 'retry']);

/** Parse one next-hop value (`[host]:port`, `host:port`, `error:text`, `smtp:host`, ...). */
export function parseNextHop(value: string, where: string): NextHop {
  const trimmed = value.trim();
  const m = /^([a-z]+):(.*)$/s.exec(trimmed);
  const transport = m && TRANSPORTS.has(m[1] ?? '') ? (m[1] ?? '') : undefined;
  const rest = transport === undefined ? trimmed : (m?.[2] ?? '').trim();
  switch (transport) {
    case 'error':
    case 'retry':
      return errorHop(rest, transport === 'error');
    case 'local':
      return { kind: 'local' };
    default:
      if (rest === '') {
        if (transport === undefined) throw invalid(where, 'empty next hop');
        return { kind: 'direct' };
      }
      return parseHost(rest, where);
  }
}

// error(8): the text may start with an RFC 3463 status code; default 5.0.0, retry 4.0.0.
function errorHop(text: string, permanent: boolean): NextHop {
  const m = /^([245]\.\d{1,3}\.\d{1,3})\s*(.*)$/s.exec(text);
  const fallback = permanent ? '5.0.0' : '4.0.0';
  const given = m?.[1];
  const enhanced = given !== undefined && given.startsWith(permanent ? '5' : '4') ? given : fallback;
  const rest = (given !== undefined ? m?.[2] : text) ?? '';
  return { kind: 'error', permanent, enhanced, text: rest === '' ? 'mail for this destination is refused' : rest };
}

/** Parse `[host]:port`, `[host]`, `host:port` or `host` (also `[ipv6:...]`, `[::1]`). */
export function parseHost(value: string, where: string): NextHop {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracket) {
    const host = (bracket[1] ?? '').replace(/^ipv6:/i, '');
    if (!isHostOrAddress(host)) throw invalid(where, `bad host "${host}"`);
    return { kind: 'smtp', host, port: parsePort(bracket[2], where), mxLookup: false };
  }
  const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(value);
  if (!plain || !isDomain(plain[1] ?? '')) throw invalid(where, `bad next hop "${value}"`);
  return { kind: 'smtp', host: (plain[1] ?? '').toLowerCase(), port: parsePort(plain[2], where), mxLookup: true };
}

function parsePort(text: string | undefined, where: string): number {
  if (text === undefined) return SMTP_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(where, `bad port "${text}"`);
  return port;
}

// RFC 1035 §2.3.1 letters, digits, hyphens, dots; underscores are tolerated as DNS allows them.
function isDomain(host: string): boolean {
  return /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(host);
}

function isHostOrAddress(host: string): boolean {
  return isDomain(host) || /^[0-9A-Fa-f:.]+$/.test(host);
}

function invalid(where: string, detail: string): MtaConfigError {
  return new MtaConfigError('invalid-value', `${where}: ${detail}`);
}

/** A transport map: domain patterns to next hops, looked up the Postfix way. */
export class TransportMap {
  readonly #entries = new Map<string, NextHop>();

  /** `entries` as in the config file (`domain: nexthop`); `source` names it in error messages. */
  constructor(entries: Readonly<Record<string, string>>, source = 'transport') {
    for (const [pattern, value] of Object.entries(entries)) {
      this.#entries.set(pattern.toLowerCase(), parseNextHop(value, `${source}: ${pattern}`));
    }
  }

  /** The next hop for a (lower-case) domain, or undefined when no entry matches. */
  lookup(domain: string, wildcard = true): NextHop | undefined {
    const exact = this.#entries.get(domain);
    if (exact) return exact;
    for (let dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
      const parent = this.#entries.get(domain.slice(dot));
      if (parent) return parent;
    }
    return wildcard ? this.#entries.get('*') : undefined;
  }
}
