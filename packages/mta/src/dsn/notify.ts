/**
 * Whether a delivery status notification is sent at all:
 *
 * - Never to the null reverse-path: a message with MAIL FROM:<> (itself a notification) gets no
 *   notification back, or two MTAs could bounce forever (RFC 5321 §4.5.5 and §6.1, RFC 3461 §6.2).
 * - RFC 3461 §4.1 NOTIFY: NEVER asks for none; otherwise FAILURE, DELAY and SUCCESS select the
 *   actions reported. Without NOTIFY the default is FAILURE, and delay notices at the MTA's
 *   discretion (§6.1); we send them when the scheduler is configured for delay warnings.
 */
import type { DsnAction } from './dsn.js';

/** RFC 3461 §4.1 NOTIFY keywords. */
export type NotifyKeyword = 'NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY';

/** What decides a notification for one recipient. */
export interface NotifyQuestion {
  /** The message's reverse-path; '' is the null sender <>. */
  sender: string;
  action: DsnAction;
  /** The recipient's NOTIFY parameter; undefined when the client gave none. */
  notify?: readonly NotifyKeyword[];
}

/** Whether to send a DSN for this recipient and action (RFC 3461 §4.1, RFC 5321 §6.1). */
export function shouldNotify({ sender, action, notify }: NotifyQuestion): boolean {
  if (sender === '') return false;
  if (notify === undefined) return action === 'failed' || action === 'delayed';
  if (notify.includes('NEVER')) return false;
  switch (action) {
    case 'failed':
      return notify.includes('FAILURE');
    case 'delayed':
      return notify.includes('DELAY');
    case 'delivered':
    case 'relayed':
    case 'expanded':
      return notify.includes('SUCCESS');
  }
}
