/**
 * The service extensions a server advertises in its EHLO reply (RFC 5321 §4.1.1.1) and enforces.
 * The application decides what is on (TLS available? which SASL mechanisms?), and may change it
 * after STARTTLS (RFC 4954 §4 item 3: the AUTH list may change once TLS is up).
 */

/** Which extensions a server session offers; every field is optional in the options. */
export interface SmtpServerExtensions {
  /** PIPELINING, RFC 2920. Default true. */
  readonly pipelining: boolean;
  /** SIZE, RFC 1870 (the limit is `maxMessageBytes`). Default true. */
  readonly size: boolean;
  /** 8BITMIME, RFC 6152. Default true. */
  readonly eightBitMime: boolean;
  /** DSN, RFC 3461 (RET, ENVID, NOTIFY, ORCPT). Default true. */
  readonly dsn: boolean;
  /** ENHANCEDSTATUSCODES, RFC 2034: when on, every reply except greeting and EHLO/HELO carries one. Default true. */
  readonly enhancedStatusCodes: boolean;
  /** SMTPUTF8, RFC 6531. Default true. */
  readonly smtputf8: boolean;
  /** CHUNKING (BDAT), RFC 3030. Default true. */
  readonly chunking: boolean;
  /** BINARYMIME, RFC 3030 (needs chunking). Default true. */
  readonly binaryMime: boolean;
  /** STARTTLS, RFC 3207: offer it (only before TLS is up). Default false: the app must have a certificate. */
  readonly starttls: boolean;
  /** SASL mechanisms for AUTH, RFC 4954; empty = AUTH not offered. Default []. */
  readonly auth: readonly string[];
  /** Advertise the HELP keyword as in RFC 5321 Appendix D (HELP is always passed to the app). Default false. */
  readonly help: boolean;
}

/** The defaults listed on each field of SmtpServerExtensions. */
export const DEFAULT_EXTENSIONS: SmtpServerExtensions = {
  pipelining: true,
  size: true,
  eightBitMime: true,
  dsn: true,
  enhancedStatusCodes: true,
  smtputf8: true,
  chunking: true,
  binaryMime: true,
  starttls: false,
  auth: [],
  help: false,
};

/** The EHLO keyword lines for these extensions (order: RFC 2920 / RFC 5321 App. D / RFC 3030 §4 examples). */
export function capabilityLines(ext: SmtpServerExtensions, maxMessageBytes: number, tls: boolean): string[] {
  const lines: string[] = [];
  if (ext.pipelining) lines.push('PIPELINING');
  if (ext.eightBitMime) lines.push('8BITMIME');
  // RFC 1870 §4: "SIZE" alone means no fixed maximum.
  if (ext.size) lines.push(Number.isFinite(maxMessageBytes) ? `SIZE ${maxMessageBytes}` : 'SIZE');
  if (ext.dsn) lines.push('DSN');
  if (ext.enhancedStatusCodes) lines.push('ENHANCEDSTATUSCODES');
  if (ext.smtputf8) lines.push('SMTPUTF8');
  if (ext.binaryMime && ext.chunking) lines.push('BINARYMIME');
  if (ext.chunking) lines.push('CHUNKING');
  if (ext.starttls && !tls) lines.push('STARTTLS');
  if (ext.auth.length > 0) lines.push(`AUTH ${ext.auth.join(' ')}`);
  if (ext.help) lines.push('HELP');
  return lines;
}
