// Header field folding (RFC 5322 §2.1.1 line length, §2.2.3 long header fields).
//
// How this works: the value is cut into pieces, each a run of white space plus the word after it,
// and lines are filled up to 78 characters; a fold is a CRLF inserted before a piece's leading
// white space. A single word longer than a line stays whole (RFC 5322 only requires 998, and
// encoded words and RFC 2231 sections keep our own words short). Any CR or LF that is not already
// a fold is turned into a space so that a value can never inject another field.
import { MimeError } from '../errors.js';

/** RFC 5322 §2.1.1: lines SHOULD be no more than 78 characters, excluding the CRLF. */
export const MAX_LINE_CHARS = 78;

// RFC 5322 §3.6.8: field-name = 1*ftext, ftext = %d33-57 / %d59-126 (printable but ":").
const FIELD_NAME = /^[!-9;-~]+$/;
// A value that needs nothing done to it on one line: no CR or LF, no white space before the first word.
const SHORT_AS_IS = /^[^ \t\r\n][^\r\n]*$/;

/**
 * Formats one header field, `Name: value` folded at 78 characters and ending in CRLF. The value
 * must already be encoded (encodeEncodedWords, formatAddressList, ...). Throws MimeError for a
 * field name that RFC 5322 §3.6.8 does not allow.
 */
export function foldHeader(name: string, value: string): string {
  if (!FIELD_NAME.test(name)) throw new MimeError('invalid-value', `foldHeader: bad field name ${JSON.stringify(name)}`);
  // Most fields fit on one line as they are (Return-Path, Delivered-To, Date, ...): what the
  // loop below would make of them, without its pieces.
  if (name.length + 2 + value.length <= MAX_LINE_CHARS && SHORT_AS_IS.test(value)) return `${name}: ${value}\r\n`;
  const flat = value.replace(/\r?\n(?=[ \t])/g, '').replace(/[\r\n]+/g, ' ');
  // Trailing white space stays with the last word: a piece of white space alone could neither
  // start a folded line (RFC 5322 §3.2.2: no line of white space only) nor fit after the word.
  const pieces = flat.match(/[ \t]*[^ \t]+(?:[ \t]+$)?|[ \t]+$/g) ?? [];
  const lines: string[] = [];
  let line = `${name}:`;
  let words = 0; // words on the current line; a line is never folded before its first word
  for (const [n, raw] of pieces.entries()) {
    // The first word follows "Name:" after one space (RFC 5322 §2.2 "Name: value" convention).
    const piece = n === 0 ? ` ${raw.replace(/^[ \t]+/, '')}` : raw;
    if (words > 0 && line.length + piece.length > MAX_LINE_CHARS && /[^ \t]/.test(piece)) {
      lines.push(line);
      line = piece;
      words = 1;
    } else {
      line += piece;
      words++;
    }
  }
  lines.push(line);
  return `${lines.join('\r\n')}\r\n`;
}
