// RFC 5322 §3.2 lexical tokens for structured header fields (addresses, message identifiers).
//
// Lenient by design: the tokenizer never fails. An unterminated quoted string, comment or domain
// literal runs to the end of the value; an unbalanced ")" is skipped. Atoms take any character that
// is not white space or a special, so RFC 6532 UTF-8 and obsolete characters pass through.

/** One lexical token; `space` records white space before it (needed to rebuild phrases). */
export type Token =
  | { kind: 'atom'; text: string; space: boolean }
  | { kind: 'quoted'; text: string; space: boolean }
  | { kind: 'comment'; text: string; space: boolean }
  | { kind: 'literal'; text: string; space: boolean }
  | { kind: 'special'; text: string; space: boolean };

// RFC 5322 §3.2.3: specials = "(" / ")" / "<" / ">" / "[" / "]" / ":" / ";" / "@" / "\" / "," / "." / DQUOTE
const SPECIALS = '()<>[]:;@\\,."';
const WSP = /[ \t\r\n]/;

/** Reads a delimited run (quoted string, comment, literal) from `start`, honouring quoted-pairs. */
function readDelimited(value: string, start: number, close: string, nests: boolean): { text: string; end: number } {
  let text = '';
  let depth = 1;
  let i = start + 1;
  for (; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c === '\\' && i + 1 < value.length) {
      text += value[++i];
      continue;
    }
    if (nests && c === '(') depth++;
    if (c === close && --depth === 0) return { text, end: i + 1 };
    // RFC 5322 §3.2.2 FWS: a folded line break inside is white space, not content
    if (c === '\r' || c === '\n') continue;
    text += c;
  }
  return { text, end: i };
}

/** Splits a structured field value into RFC 5322 tokens. */
export function tokenize(value: string): Token[] {
  const tokens: Token[] = [];
  let space = false;
  let i = 0;
  while (i < value.length) {
    const c = value[i] ?? '';
    if (WSP.test(c)) {
      space = true;
      i++;
      continue;
    }
    let token: Token;
    if (c === '"') {
      const r = readDelimited(value, i, '"', false);
      token = { kind: 'quoted', text: r.text, space };
      i = r.end;
    } else if (c === '(') {
      const r = readDelimited(value, i, ')', true);
      token = { kind: 'comment', text: r.text, space };
      i = r.end;
    } else if (c === '[') {
      const r = readDelimited(value, i, ']', false);
      token = { kind: 'literal', text: r.text, space };
      i = r.end;
    } else if (c === ')' || c === ']' || c === '\\') {
      i++; // Lenient: a stray closer or backslash carries nothing
      continue;
    } else if (SPECIALS.includes(c)) {
      token = { kind: 'special', text: c, space };
      i++;
    } else {
      let end = i;
      while (end < value.length && !WSP.test(value[end] ?? '') && !SPECIALS.includes(value[end] ?? '')) end++;
      token = { kind: 'atom', text: value.slice(i, end), space };
      i = end;
    }
    tokens.push(token);
    space = false;
  }
  return tokens;
}
