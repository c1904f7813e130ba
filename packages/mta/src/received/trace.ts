/**
 * The other trace fields of final delivery (SPEC.md §7: only Received, Return-Path and
 * Delivered-To are ever added to a delivered message), and the Delivered-To loop check of
 * Postfix local(8): a message that already carries `Delivered-To: <this recipient>` has been
 * here before (a forwarding loop through another system), and is bounced with 5.4.6 rather
 * than delivered again and again.
 */
import { foldHeader } from '@mailstack/mime';

/** RFC 5321 §4.4 / RFC 5322 §3.6.7: `Return-Path: <reverse-path>`, `<>` for the null sender. */
export function formatReturnPath(reversePath: string): string {
  return foldHeader('Return-Path', `<${stripControls(reversePath)}>`);
}

/** `Delivered-To: address` as Postfix and qmail write it (the final envelope recipient). */
export function formatDeliveredTo(address: string): string {
  return foldHeader('Delivered-To', stripControls(address));
}

/**
 * Whether the header section already has `Delivered-To:` naming `address` (case-insensitive,
 * as Postfix compares): delivering would loop. `header` is the raw header section (UTF-8).
 */
export function hasDeliveredTo(header: string, address: string): boolean {
  const wanted = address.trim().toLowerCase();
  // Unfold first (RFC 5322 §2.2.3): a long address may have been folded onto the next line.
  const unfolded = header.replace(/\r?\n(?=[ \t])/g, '');
  for (const line of unfolded.split(/\r?\n/)) {
    if (line === '') break;
    const m = /^delivered-to[ \t]*:(.*)$/i.exec(line);
    if (m && (m[1] ?? '').trim().toLowerCase() === wanted) return true;
  }
  return false;
}

function stripControls(value: string): string {
  return value.replace(/[\x00-\x1f\x7f]+/g, '');
}
