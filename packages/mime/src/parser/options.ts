// Limits of the MIME parser. Exceeding one records a defect and the parser goes on framing the
// message (STYLE.md §4: keep framing, drop content); it never throws and never hangs.

/** Limits of MimeStreamParser; every one has a default with its source. */
export interface MimeParserOptions {
  /** Bytes of one entity's header block kept; later fields are dropped (defect `header-too-long`). */
  maxHeaderBytes: number;
  /** Bytes of one physical header line kept; its rest is dropped (defect `line-too-long`). */
  maxLineBytes: number;
  /** Body parts in the whole message; later parts are framed but skipped (defect `too-many-parts`). */
  maxParts: number;
  /** Nesting depth of multiparts and message/rfc822; deeper entities stay opaque leaves. */
  maxDepth: number;
}

/** Default limits, each from a deployed server's default. */
export const DEFAULT_MIME_PARSER_OPTIONS: Readonly<MimeParserOptions> = Object.freeze({
  maxHeaderBytes: 102_400, // Postfix header_size_limit default
  maxLineBytes: 65_536, // RFC 5322 §2.1.1 says 998; real mailers send far longer unfolded lines
  maxParts: 10_000, // Dovecot 2.3.13+ message_parser max_total_mime_parts (CVE-2020-25275)
  maxDepth: 100, // Postfix mime_nesting_limit; Dovecot's max_nested_mime_parts is 100 too
});
