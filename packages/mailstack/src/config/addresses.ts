/**
 * The host:port forms of the config: listener addresses ("127.0.0.1:2525", "[::1]:2525") and
 * Postfix-style next hops ("[127.0.0.1]:2626" = no MX lookup, "mx.example.test" = MX lookup).
 */
import { isIPv6 } from 'node:net';

/** Where a listener binds. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Where mail for a destination goes next (Postfix transport(5) / relayhost semantics). */
export interface NextHop {
  host: string;
  port: number;
  /** False for "[host]": connect to the host itself, no MX lookup (Postfix). */
  mxLookup: boolean;
}

const SMTP_PORT = 25;
// RFC 1123 §2.1 host names: letters, digits, hyphens, dot-separated labels of up to 63.
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** A DNS host name or an IPv4 literal (both match the RFC 1123 pattern). */
export function isHostName(text: string): boolean {
  return HOST_NAME.test(text);
}

function parsePort(text: string): number | undefined {
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535 ? Number(text) : undefined;
}

/** Split "host:port", "[v6]:port", "[host]" or "host" into parts; undefined when malformed. */
function splitHostPort(text: string): { host: string; port: string | undefined; bracketed: boolean } | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    const rest = text.slice(close + 1);
    if (close < 0 || (rest !== '' && !rest.startsWith(':'))) return undefined;
    return { host: text.slice(1, close), port: rest === '' ? undefined : rest.slice(1), bracketed: true };
  }
  const colon = text.lastIndexOf(':');
  if (colon >= 0 && text.indexOf(':') !== colon) return undefined; // bare IPv6 needs brackets
  return colon < 0 ? { host: text, port: undefined, bracketed: false } : { host: text.slice(0, colon), port: text.slice(colon + 1), bracketed: false };
}

/** "host:port" or "[ipv6]:port" → a listen address; a string explaining the fault otherwise. */
export function parseListenAddress(text: string): ListenAddress | string {
  const parts = splitHostPort(text.trim());
  if (!parts || parts.port === undefined) return `expected "host:port" or "[ipv6]:port", got "${text}"`;
  const port = parsePort(parts.port);
  if (port === undefined) return `bad port in "${text}"`;
  const validHost = parts.bracketed ? isIPv6(parts.host) : isHostName(parts.host) || parts.host === '*';
  if (!validHost) return `bad host in "${text}"${parts.bracketed ? '' : ' (IPv6 addresses go in brackets)'}`;
  return { host: parts.host === '*' ? '::' : parts.host, port };
}

/** "[host]:port", "[host]", "host:port" or "host" → a next hop; a string explaining the fault otherwise. */
export function parseNextHop(text: string): NextHop | string {
  const parts = splitHostPort(text.trim());
  if (!parts) return `expected "host", "host:port" or "[host]:port", got "${text}"`;
  const port = parts.port === undefined ? SMTP_PORT : parsePort(parts.port);
  if (port === undefined) return `bad port in "${text}"`;
  const validHost = isHostName(parts.host) || (parts.bracketed && isIPv6(parts.host));
  if (!validHost) return `bad host in "${text}"`;
  return { host: parts.host, port, mxLookup: !parts.bracketed };
}
