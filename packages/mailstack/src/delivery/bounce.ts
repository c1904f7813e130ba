/**
 * Non-delivery reports (RFC 3464, Postfix bounce(8)): the recipients the scheduler bounced become
 * one multipart/report to the original sender, queued like any message with the null reverse-path
 * (RFC 5321 §6.1: a bounce must never cause another bounce). No report for the null sender or
 * for recipients whose NOTIFY excludes FAILURE (RFC 3461 §4.1).
 */
import { buildDsn, shouldNotify, type BouncedRecipient, type DsnRecipient, type QueueEntry } from '@mailstack/mta';

// Postfix bounce_size_limit: a bigger body is not returned; read one byte more to know.
const RETURNED_BODY_LIMIT = 50_000;
const HEADER_LIMIT = 1024 * 1024;

/** The report for the bounced recipients of `entry`, or undefined when none is due. */
export async function buildBounce(
  entry: QueueEntry,
  bounced: readonly BouncedRecipient[],
  body: AsyncIterable<Uint8Array>,
  options: { reportingMta: string; now: Date },
): Promise<Uint8Array | undefined> {
  const recipients: DsnRecipient[] = [];
  for (const b of bounced) {
    const queued = entry.recipients.find((r) => r.address === b.recipient);
    if (!shouldNotify({ sender: entry.sender, action: 'failed', ...(queued?.notify ? { notify: queued.notify } : {}) })) continue;
    const reply = b.reply;
    // Postfix keeps the last temporary status for an expired recipient (e.g. 4.4.1), Action failed.
    recipients.push({
      finalRecipient: b.recipient,
      ...(queued?.orcpt ? originalRecipient(queued.orcpt) : {}),
      action: 'failed',
      status: reply?.enhanced ?? (b.reason === 'expired' ? '4.4.7' : '5.0.0'),
      ...(reply ? { diagnosticCode: `${reply.code} ${reply.enhanced} ${reply.text}` } : {}),
      lastAttempt: options.now,
    });
  }
  if (recipients.length === 0) return undefined;
  const original = await readForReturn(body);
  return buildDsn({
    reportingMta: options.reportingMta,
    sender: entry.sender,
    ...(entry.dsn?.envid ? { originalEnvelopeId: entry.dsn.envid } : {}),
    ...(entry.dsn?.ret ? { ret: entry.dsn.ret } : {}),
    arrivalDate: new Date(entry.arrivalAt),
    queueId: entry.id,
    recipients,
    originalMessage: original,
    maxReturnedBodyBytes: RETURNED_BODY_LIMIT,
    now: options.now,
    messageId: `${entry.id}.bounce.${options.now.getTime()}@${options.reportingMta}`,
  });
}

// ORCPT as stored: "addr-type;address" (RFC 3461 §4.2).
function originalRecipient(orcpt: string): Pick<DsnRecipient, 'originalRecipient' | 'originalRecipientType'> {
  const semi = orcpt.indexOf(';');
  return semi < 0 ? { originalRecipient: orcpt } : { originalRecipientType: orcpt.slice(0, semi), originalRecipient: orcpt.slice(semi + 1) };
}

// The header section and at most RETURNED_BODY_LIMIT + 1 body bytes: enough for the builder to
// return the body or decide it is too big, without holding a large message.
async function readForReturn(body: AsyncIterable<Uint8Array>): Promise<{ header: Uint8Array; body: Uint8Array }> {
  const chunks: Buffer[] = [];
  let total = 0;
  let headerEnd = -1;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    total += chunk.length;
    const joined = Buffer.concat(chunks);
    if (headerEnd < 0) headerEnd = blankLine(joined);
    if (headerEnd < 0 ? total > HEADER_LIMIT : total - headerEnd > RETURNED_BODY_LIMIT) break;
  }
  const all = Buffer.concat(chunks);
  const end = headerEnd < 0 ? all.length : headerEnd;
  return { header: all.subarray(0, end), body: all.subarray(end) };
}

// Index just after the empty line that ends the header section (CRLF CRLF or LF LF), or -1.
function blankLine(bytes: Buffer): number {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return -1;
  if (crlf < 0) return lf + 2;
  if (lf < 0) return crlf + 4;
  return Math.min(crlf + 4, lf + 2);
}
