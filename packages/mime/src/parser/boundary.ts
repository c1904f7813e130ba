// Multipart delimiter lines, RFC 2046 §5.1.1:
//   delimiter       := CRLF dash-boundary          dash-boundary := "--" boundary
//   close-delimiter := delimiter "--"
//   transport-padding := *LWSP-char   (after the boundary, before the line break)
// The CRLF before "--" belongs to the delimiter, not to the part before it; the CRLF after a
// close delimiter belongs to what follows (the epilogue, or an outer delimiter's leading CRLF). The caller finds line
// starts; this file decides whether the line there is a delimiter of one of the open multiparts.
//
// Strict: the boundary must be followed by optional "--", optional SP/HTAB and the line break (or
// the end of the message); so an inner boundary that is a prefix of an outer one ("b" and "b-2")
// never matches the outer's lines, and innermost-first order is only a tie-break. Only when no
// delimiter matches strictly is a close delimiter with trailing junk accepted (junkAfterClose).

const DASH = 0x2d;
const CR = 0x0d;
const LF = 0x0a;

/** Result of looking for a delimiter line at a line start. */
export type BoundaryMatch =
  | { kind: 'none' }
  | { kind: 'need-more' }
  | { kind: 'match'; index: number; close: boolean; paddingEnd: number; lineEnd: number };

/**
 * Tests `buf[lineStart..end)` against `boundaries` (each "--" + boundary, innermost first).
 * `index` is the position in `boundaries` that matched; `lineEnd` is just after its line break.
 * `maxPaddingBytes` caps the transport padding we wait for.
 */
export function matchBoundary(
  buf: Uint8Array,
  lineStart: number,
  end: number,
  eof: boolean,
  boundaries: readonly Uint8Array[],
  maxPaddingBytes: number,
): BoundaryMatch {
  let needMore = false;
  for (const lenient of [false, true]) {
    for (let index = 0; index < boundaries.length; index++) {
      const r = matchOne(buf, lineStart, end, eof, boundaries[index] as Uint8Array, maxPaddingBytes, lenient);
      if (r === 'need-more') needMore = true;
      else if (r !== 'none') return { kind: 'match', index, ...r };
    }
    if (needMore) return { kind: 'need-more' };
  }
  return { kind: 'none' };
}

function matchOne(
  buf: Uint8Array,
  start: number,
  end: number,
  eof: boolean,
  dashBoundary: Uint8Array,
  maxPaddingBytes: number,
  lenient: boolean,
): 'none' | 'need-more' | { close: boolean; paddingEnd: number; lineEnd: number } {
  const more = eof ? 'none' : 'need-more';
  const n = dashBoundary.length;
  for (let i = 0; i < n; i++) {
    if (start + i >= end) return more;
    if (buf[start + i] !== dashBoundary[i]) return 'none';
  }
  let p = start + n;
  let close = false;
  if (p < end && buf[p] === DASH) {
    if (p + 1 >= end) return more;
    if (buf[p + 1] !== DASH) return 'none';
    close = true;
    p += 2;
  }
  const paddingStart = p;
  while (p < end && (buf[p] === 0x20 || buf[p] === 0x09)) {
    if (p - paddingStart > maxPaddingBytes) return 'none';
    p++;
  }
  if (p >= end) return eof ? { close, paddingEnd: p, lineEnd: end } : 'need-more';
  if (buf[p] === LF) return { close, paddingEnd: p, lineEnd: p + 1 };
  if (buf[p] === CR) {
    if (p + 1 >= end) return eof ? { close, paddingEnd: p, lineEnd: end } : 'need-more';
    if (buf[p + 1] === LF) return { close, paddingEnd: p, lineEnd: p + 2 };
  }
  return close && lenient ? junkAfterClose(buf, p, end, eof, maxPaddingBytes) : 'none';
}

// Lenient: "--boundary--" followed by other text (e.g. "--b-->" in enmime's epilogue-sample) is
// taken as the close delimiter, its junk included, when no delimiter matches strictly: RFC 2046
// §5.1.1 forbids the boundary inside the parts, and mailparser and enmime read it so too.
function junkAfterClose(buf: Uint8Array, p: number, end: number, eof: boolean, maxBytes: number): 'none' | 'need-more' | { close: true; paddingEnd: number; lineEnd: number } {
  const lf = buf.indexOf(LF, p);
  if (lf >= 0 && lf < end) return { close: true, paddingEnd: lf > p && buf[lf - 1] === CR ? lf - 1 : lf, lineEnd: lf + 1 };
  if (end - p > maxBytes) return 'none';
  return eof ? { close: true, paddingEnd: end, lineEnd: end } : 'need-more';
}
