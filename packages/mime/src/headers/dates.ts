// Date-time fields: RFC 5322 §3.3 and the obsolete forms of §4.3.
//
// How parsing works: comments are dropped, white space around ":" closed up, and the rest split
// into words that are recognised by shape (month name, hh:mm[:ss], signed zone, zone name,
// numbers), so the obsolete CFWS-everywhere form, missing seconds and the asctime order
// ("Fri Nov 21 09:55:06 1997") all parse. Lenient: the day of the week is ignored (a mismatch is
// common and harmless); a missing or unknown zone counts as -0000 ("no information", §3.3), i.e. UTC.
import { MimeError } from '../errors.js';
import { stripComments } from './params.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

// RFC 5322 §4.3 obs-zone, in minutes east of UTC. The military letters are so often wrong that
// §4.3 says to read them as -0000; so are unknown names.
const ZONES: Record<string, number> = {
  ut: 0, gmt: 0, utc: 0, z: 0,
  edt: -4 * 60, est: -5 * 60, cdt: -5 * 60, cst: -6 * 60,
  mdt: -6 * 60, mst: -7 * 60, pdt: -7 * 60, pst: -8 * 60,
};

interface DateParts {
  day?: number;
  month?: number;
  year?: number;
  time?: [number, number, number];
  offsetMinutes: number;
}

/** RFC 5322 §4.3: a 2-digit year below 50 is 20xx, else 19xx; a 3-digit year adds 1900. */
function fullYear(text: string): number {
  const n = Number(text);
  if (text.length === 2) return n < 50 ? 2000 + n : 1900 + n;
  if (text.length === 3) return 1900 + n;
  return n;
}

// RFC 5322 §4.3 leniency: a zone glued to the time ("00:01+0000", "09:55:06GMT").
const TIME_WITH_ZONE = /^(\d{1,2}:\d{1,2}(?::\d{1,2})?)([+-]\d{4}|[A-Za-z]+)$/;

function readWord(word: string, parts: DateParts): void {
  const glued = TIME_WITH_ZONE.exec(word);
  if (glued) {
    readWord(glued[1] ?? '', parts);
    readWord(glued[2] ?? '', parts);
    return;
  }
  const lower = word.toLowerCase();
  const time = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$/.exec(word);
  const zone = /^([+-])(\d{2})([0-5]\d)$/.exec(word);
  if (time) parts.time = [Number(time[1]), Number(time[2]), Number(time[3] ?? 0)];
  else if (zone) {
    const minutes = Number(zone[2]) * 60 + Number(zone[3]);
    parts.offsetMinutes = zone[1] === '-' ? -minutes : minutes;
  } else if (/^\d{4}$/.test(word)) parts.year = fullYear(word);
  else if (/^\d{1,3}$/.test(word)) {
    if (parts.day === undefined && word.length <= 2) parts.day = Number(word);
    else if (parts.year === undefined) parts.year = fullYear(word);
  } else if (MONTHS.includes(lower.slice(0, 3)) && /^[a-z]+\.?$/.test(lower) && parts.month === undefined) {
    parts.month = MONTHS.indexOf(lower.slice(0, 3));
  } else if (Object.hasOwn(ZONES, lower)) parts.offsetMinutes = ZONES[lower] ?? 0;
}

/**
 * Parses a Date/Resent-Date/Received date (RFC 5322 §3.3, §4.3 obsolete forms). Returns
 * undefined when no valid date-time can be read; never throws.
 */
export function parseDate(value: string): Date | undefined {
  const text = stripComments(value).replace(/\s+/g, ' ').replace(/ ?: ?/g, ':');
  const parts: DateParts = { offsetMinutes: 0 };
  for (const word of text.split(/[\s,]+/)) if (word !== '') readWord(word, parts);
  const { day, month, year, time } = parts;
  if (day === undefined || month === undefined || year === undefined || time === undefined) return undefined;
  const [hour, minute, second] = time;
  // RFC 5322 §3.3: "the year is any numeric year 1900 or later".
  if (year < 1900 || hour > 23 || minute > 59 || second > 60) return undefined;
  // RFC 5322 §3.3: second 60 is a leap second; a Date cannot hold it, so keep :59.
  const utc = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  const date = new Date(utc - parts.offsetMinutes * 60_000);
  if (Number.isNaN(date.getTime()) || new Date(utc).getUTCDate() !== day) return undefined; // 31 Feb
  return date;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Formats `date` as an RFC 5322 §3.3 date-time, `Fri, 21 Nov 1997 09:55:06 -0600`, in the zone
 * `offsetMinutes` east of UTC (default 0, written +0000). Throws MimeError for an invalid Date.
 */
export function formatDate(date: Date, offsetMinutes = 0): string {
  if (Number.isNaN(date.getTime())) throw new MimeError('invalid-value', 'formatDate: invalid Date');
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const month = MONTHS[local.getUTCMonth()] ?? 'jan';
  return (
    `${DAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${month[0]?.toUpperCase()}${month.slice(1)} ` +
    `${pad(local.getUTCFullYear(), 4)} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:` +
    `${pad(local.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}
