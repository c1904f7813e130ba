/**
 * mailq(1) output (Postfix showq format), extended as SPEC.md §7 asks: every recipient with its
 * status and last error.
 *
 *   -Queue ID-           --Size-- ----Arrival Time---- -Sender/Recipient-------
 *   LHXQ2K9C000017F3KQ2*      312 Thu Nov 26 16:14:17  alice@example.test
 *                                                      bob@remote.test (deferred: 451 4.4.1 no answer)
 *
 *   -- 1 Kbytes in 1 Request.
 *
 * The mark after the id is Postfix's: "*" active (due now), "!" on hold, none for deferred;
 * "^" is ours, for a message still in the maildrop.
 */
import type { QueueEntry } from '@mailstack/mta';
import type { MaildropEntry } from './maildrop-entries.js';

const MARK: Record<QueueEntry['state'] | MaildropEntry['state'], string> = { active: '*', hold: '!', deferred: ' ', done: ' ', maildrop: '^' };
const HEADING = '-Queue ID-           --Size-- ----Arrival Time---- -Sender/Recipient-------';
const INDENT = ' '.repeat(51);
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The whole listing, ending in a line break. */
export function formatQueueList(entries: readonly (QueueEntry | MaildropEntry)[]): string {
  if (entries.length === 0) return 'Mail queue is empty\n';
  const lines = [HEADING];
  for (const entry of entries) {
    const id = `${entry.id}${MARK[entry.state]}`;
    lines.push(`${id.padEnd(20)} ${String(entry.sizeBytes).padStart(8)} ${formatArrival(entry.arrivalAt)}  ${entry.sender || '<>'}`);
    for (const r of entry.recipients) {
      const status = entry.state === 'maildrop' ? 'waiting for pickup' : r.status;
      lines.push(`${INDENT}${r.address} (${status}${r.lastError ? `: ${r.lastError}` : ''})`);
    }
    lines.push('');
  }
  const kbytes = Math.ceil(entries.reduce((sum, e) => sum + e.sizeBytes, 0) / 1024);
  lines.push(`-- ${kbytes} Kbytes in ${entries.length} Request${entries.length === 1 ? '' : 's'}.`);
  return `${lines.join('\n')}\n`;
}

// Postfix's arrival column: local time, "Thu Nov 26 16:14:17".
function formatArrival(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2)} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
