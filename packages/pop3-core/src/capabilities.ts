// RFC 2449 §5: the CAPA response lists one capability per line, "tag *(SP param)"; tags are
// case-insensitive.

/** Capabilities by upper-cased tag, each with its parameters (e.g. `SASL` → `['PLAIN', 'LOGIN']`). */
export type Pop3Capabilities = ReadonlyMap<string, readonly string[]>;

/** Parses the lines of a CAPA response (already unstuffed, without CRLF). */
export function parseCapabilities(lines: readonly string[]): Pop3Capabilities {
  const caps = new Map<string, readonly string[]>();
  for (const line of lines) {
    const [tag, ...params] = line.split(' ').filter((part) => part !== '');
    if (tag !== undefined) caps.set(tag.toUpperCase(), params);
  }
  return caps;
}
