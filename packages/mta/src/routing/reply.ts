/**
 * The replies routing and policy decide on. Structurally an smtp-core `Reply` (code, enhanced
 * status code per RFC 3463, text), so the server driver can send it as is; also the source of a
 * DSN's Status and Diagnostic-Code when the decision is made during delivery.
 */
export interface MtaReply {
  readonly code: number;
  readonly enhanced: string;
  readonly text: string;
}

/** Build a reply; the enhanced code's class must match the reply code (RFC 2034 §4). */
export function mtaReply(code: number, enhanced: string, text: string): MtaReply {
  return { code, enhanced, text };
}
