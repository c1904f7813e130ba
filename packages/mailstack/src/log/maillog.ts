/**
 * Postfix maillog-like records: one line per event, `component: QUEUEID: key=value, ...`, so an
 * administrator who knows `/var/log/mail.log` can read (and grep) ours:
 *
 *   smtpd: 0N5XK2A1B0001ABCDEF: client=client.test[127.0.0.1]
 *   qmgr: 0N5XK2A1B0001ABCDEF: from=<alice@example.test>, size=1234, nrcpt=1 (queue active)
 *   local: 0N5XK2A1B0001ABCDEF: to=<bob@example.test>, relay=local, delay=0.02, status=sent (delivered to maildir)
 *   smtp: 0N5XK2A1B0001ABCDEF: to=<x@remote.test>, relay=[127.0.0.1]:2626, delay=0.1, status=deferred (451 4.3.0 try later)
 */

/** The part of the server a record comes from (Postfix's daemon names). */
export type LogComponent = 'serve' | 'smtpd' | 'pop3d' | 'qmgr' | 'local' | 'smtp' | 'bounce' | 'pickup';

/** How bad it is; 'warning' and 'error' lines are prefixed like Postfix's. */
export type LogLevel = 'info' | 'warning' | 'error';

/** One log record: the text line plus the fields it was made from. */
export interface LogRecord {
  readonly component: LogComponent;
  readonly level: LogLevel;
  readonly queueId?: string;
  /** The line without timestamp: `component: [QUEUEID: ]text`. */
  readonly message: string;
}

/** Where records go. */
export type Logger = (record: LogRecord) => void;

/** The outcome of one recipient's delivery attempt, for a `to=` line. */
export interface DeliveryLogFields {
  readonly queueId: string;
  readonly to: string;
  /** `local`, `[127.0.0.1]:2626`, `mx.example[192.0.2.1]:25`, `none`. */
  readonly relay: string;
  readonly delayMs: number;
  readonly status: 'sent' | 'deferred' | 'bounced' | 'expired';
  /** The remote reply or local result, shown in parentheses. */
  readonly detail: string;
}

/** Build a record; `queueId` prefixes the text as Postfix does. */
export function logRecord(component: LogComponent, text: string, options: { level?: LogLevel; queueId?: string } = {}): LogRecord {
  const level = options.level ?? 'info';
  const prefix = level === 'info' ? '' : `${level}: `;
  const queueId = options.queueId;
  if (queueId === undefined) return { component, level, message: `${component}: ${prefix}${oneLine(text)}` };
  return { component, level, queueId, message: `${component}: ${queueId}: ${prefix}${oneLine(text)}` };
}

/** The `to=<..>, relay=.., delay=.., status=.. (..)` line of a delivery attempt. */
export function deliveryRecord(component: 'local' | 'smtp', fields: DeliveryLogFields): LogRecord {
  const delay = (Math.max(0, fields.delayMs) / 1000).toFixed(2);
  return logRecord(component, `to=<${fields.to}>, relay=${fields.relay}, delay=${delay}, status=${fields.status} (${fields.detail})`, { queueId: fields.queueId });
}

/**
 * A logger writing `ISO-time mailstack/component: ...` lines to a stream (stderr by default).
 * Lines of one event-loop turn are written together (one write instead of one per line: under
 * load a message costs about seven lines); what is pending when the process exits is written
 * by the 'exit' handler (stderr writes to files and pipes are synchronous on Linux).
 */
export function streamLogger(stream: { write(text: string): unknown } = process.stderr, clock: () => number = Date.now): Logger {
  let pending = '';
  const flush = (): void => {
    if (pending === '') return;
    const text = pending;
    pending = '';
    stream.write(text);
  };
  process.once('exit', flush);
  // Under load many lines share a millisecond: the timestamp is formatted once per distinct one.
  let stampedAt = NaN;
  let stamp = '';
  return (record) => {
    if (pending === '') setImmediate(flush);
    const now = clock();
    if (now !== stampedAt) {
      stampedAt = now;
      stamp = new Date(now).toISOString();
    }
    pending += `${stamp} mailstack/${record.message}\n`;
  };
}

// Log injection: a CR or LF from a peer must not start a forged line. Almost every line has no
// control character at all, and one test is cheaper than two replacements.
const CONTROL = /[\0-\x08\x0a-\x1f\x7f]/;
function oneLine(text: string): string {
  if (!CONTROL.test(text)) return text;
  return text.replace(/[\r\n]+/g, ' ').replace(/[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '?');
}
