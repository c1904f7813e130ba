/** Client addresses as the socket reports them, normalised for limits and policy. */
import { isIPv4 } from 'node:net';

/** "::ffff:127.0.0.1" → "127.0.0.1" (RFC 4291 §2.5.5.2 IPv4-mapped); other addresses unchanged. */
export function normalizeIp(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && isIPv4(lower.slice(7))) return lower.slice(7);
  return lower;
}

/** 127.0.0.0/8 and ::1 (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3), after normalizeIp. */
export function isLoopback(ip: string): boolean {
  return ip === '::1' || (isIPv4(ip) && ip.startsWith('127.'));
}
