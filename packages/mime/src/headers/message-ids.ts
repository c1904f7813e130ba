// Message identifiers: Message-ID, In-Reply-To, References (RFC 5322 §3.6.4, §4.5.4 obsolete).
import { stripComments } from './params.js';

// A quoted string (skipped: In-Reply-To often carries `"Your message of ..."`), a bracketed id,
// or a bare word.
const PIECE = /"(?:[^"\\]|\\.)*"?|<([^<>]*)>?|([^\s<>,"]+)/g;

/**
 * Reads the message identifiers of a Message-ID, In-Reply-To or References value, without the
 * angle brackets (`<1234@local.machine.example>` → `1234@local.machine.example`). Lenient: the
 * obsolete CFWS inside ids is removed (RFC 5322 Appendix A.6.3); ids with missing brackets are
 * taken when they contain "@"; comments, quoted phrases and other words are skipped. Never throws.
 */
export function parseMessageIds(value: string): string[] {
  const ids: string[] = [];
  for (const match of stripComments(value).matchAll(PIECE)) {
    const [, bracketed, bare] = match;
    if (bracketed !== undefined) {
      const id = bracketed.replace(/\s+/g, '');
      if (id !== '') ids.push(id);
    } else if (bare !== undefined && bare.includes('@')) {
      ids.push(bare);
    }
  }
  return ids;
}
