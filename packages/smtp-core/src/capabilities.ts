/**
 * EHLO reply parsing (RFC 5321 §4.1.1.1): the first line is the greeting, each further line an
 * ehlo-keyword with optional parameters. Keywords are case-insensitive.
 */
import { replyLines, type Reply } from './reply.js';

/** What a server offered in its EHLO reply. */
export interface SmtpCapabilities {
  /** Every keyword (upper case) with its parameters. */
  readonly keywords: ReadonlyMap<string, readonly string[]>;
  readonly pipelining: boolean;
  /** SIZE limit (RFC 1870 §4); Infinity for "SIZE" or "SIZE 0"; undefined when SIZE is not offered. */
  readonly sizeBytes: number | undefined;
  readonly eightBitMime: boolean;
  readonly smtputf8: boolean;
  readonly dsn: boolean;
  readonly chunking: boolean;
  readonly binaryMime: boolean;
  readonly starttls: boolean;
  readonly enhancedStatusCodes: boolean;
  /** SASL mechanisms of AUTH (RFC 4954 §3), upper case. */
  readonly auth: readonly string[];
}

/** Parse a 250 reply to EHLO. A reply to HELO (or no EHLO) offers nothing: pass an empty-keyword reply. */
export function parseCapabilities(reply: Reply): SmtpCapabilities {
  const keywords = new Map<string, string[]>();
  for (const line of replyLines(reply).slice(1)) {
    const [keyword = '', ...params] = line.trim().split(/\s+/);
    if (/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(keyword)) keywords.set(keyword.toUpperCase(), params);
  }
  const size = keywords.get('SIZE');
  const sizeValue = size?.[0] === undefined ? 0 : Number(size[0]);
  return {
    keywords,
    pipelining: keywords.has('PIPELINING'),
    sizeBytes: size === undefined ? undefined : Number.isFinite(sizeValue) && sizeValue > 0 ? sizeValue : Infinity,
    eightBitMime: keywords.has('8BITMIME'),
    smtputf8: keywords.has('SMTPUTF8'),
    dsn: keywords.has('DSN'),
    chunking: keywords.has('CHUNKING'),
    binaryMime: keywords.has('BINARYMIME'),
    starttls: keywords.has('STARTTLS'),
    enhancedStatusCodes: keywords.has('ENHANCEDSTATUSCODES'),
    auth: (keywords.get('AUTH') ?? []).map((m) => m.toUpperCase()),
  };
}

/** The capabilities of a server that offered none (HELO, or before EHLO). */
export const NO_CAPABILITIES: SmtpCapabilities = parseCapabilities({ code: 250, text: '' });
