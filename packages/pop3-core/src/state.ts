// POP3 session states (RFC 1939 §3): AUTHORIZATION, TRANSACTION, UPDATE, plus the moments before
// the greeting and after the end. Which commands are legal where is the LEGAL table; the
// transitions are small functions so that every phase change is visible here.
import type { Pop3Verb } from './command.js';
import type { Maildrop } from './maildrop.js';
import { MarkedMaildrop } from './maildrop.js';

/** How far a login has got inside AUTHORIZATION. */
export type LoginStep =
  | { step: 'none' }
  | { step: 'user'; name: string } // USER was accepted: PASS may follow (RFC 1939 §7)
  | { step: 'sasl'; mechanism: string }; // inside an AUTH exchange: lines are SASL responses (RFC 5034 §4)

/** The server session's state; `tls` says whether a TLS layer is active. Read it, never change it: `send()` does. */
export type Pop3ServerState =
  | { phase: 'greeting'; tls: boolean } // before our greeting
  | { phase: 'authorization'; tls: boolean; login: LoginStep }
  | { phase: 'transaction'; tls: boolean; maildrop: MarkedMaildrop }
  | { phase: 'update'; deleted: readonly number[] } // after QUIT in TRANSACTION, until our answer
  | { phase: 'closed' };

/** RFC 1939 §4-6, RFC 2449 §5 (CAPA in both), RFC 2595 §4 (STLS), RFC 5034 §4 (AUTH). */
export const LEGAL: Record<'authorization' | 'transaction', ReadonlySet<Pop3Verb>> = {
  authorization: new Set<Pop3Verb>(['USER', 'PASS', 'APOP', 'AUTH', 'STLS', 'CAPA', 'QUIT']),
  transaction: new Set<Pop3Verb>(['CAPA', 'STAT', 'LIST', 'RETR', 'DELE', 'NOOP', 'RSET', 'TOP', 'UIDL', 'QUIT']),
};

export function greeted(state: { tls: boolean }): Pop3ServerState {
  return { phase: 'authorization', tls: state.tls, login: { step: 'none' } };
}

export function withLogin(state: Pop3ServerState & { phase: 'authorization' }, login: LoginStep): Pop3ServerState {
  return { ...state, login };
}

/** RFC 2595 §4: after STLS the session stays in AUTHORIZATION and forgets what came before. */
export function tlsStarted(): Pop3ServerState {
  return { phase: 'authorization', tls: true, login: { step: 'none' } };
}

/** RFC 1939 §4: the maildrop is open; the session enters TRANSACTION. */
export function loggedIn(state: { tls: boolean }, maildrop: Maildrop): Pop3ServerState {
  return { phase: 'transaction', tls: state.tls, maildrop: new MarkedMaildrop(maildrop) };
}

/** RFC 1939 §6: QUIT in TRANSACTION enters UPDATE; QUIT in AUTHORIZATION just ends. */
export function quit(state: Pop3ServerState): Pop3ServerState {
  return state.phase === 'transaction' ? { phase: 'update', deleted: state.maildrop.marked() } : { phase: 'closed' };
}

export const CLOSED: Pop3ServerState = { phase: 'closed' };
