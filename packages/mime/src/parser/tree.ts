// Building the message tree from MimeStreamParser events (the structure IMAP BODYSTRUCTURE and
// BODY[section] are served from, SPEC.md §7).
import type { MimeDefect } from '../errors.js';
import { parseContentDisposition, type ContentDisposition, type ContentType } from '../headers/params.js';
import type { EntityKind, MimeEvent } from './events.js';
import { HeaderList } from './header-list.js';

/** One entity of a parsed message, with its byte offsets in the raw message. */
export interface MimeNode {
  /** IMAP part number (RFC 3501 §6.4.5); '' for the root message. An encapsulated message shares its part's path. */
  path: string;
  kind: EntityKind;
  headers: HeaderList;
  contentType: ContentType;
  /** Lower-cased Content-Transfer-Encoding ('7bit' when absent). */
  transferEncoding: string;
  disposition: ContentDisposition | undefined;
  /** File name from Content-Disposition filename (RFC 2183) or else Content-Type name. */
  filename: string | undefined;
  /** Raw message offsets: header block [headerStart, bodyStart), body [bodyStart, bodyEnd). */
  offsets: { headerStart: number; bodyStart: number; bodyEnd: number };
  /** Octets of the raw body. */
  sizeBytes: number;
  /** Line breaks in the raw body. */
  lines: number;
  /** Multipart children, or the one encapsulated message of a message/rfc822 part. */
  children: MimeNode[];
  /** Transfer-decoded body of a leaf (empty for containers); may share memory with the input. */
  content: Uint8Array;
}

/** Collects parser events into a MimeNode tree and the message's defects. */
export class MimeTreeBuilder {
  #stack: { node: MimeNode; chunks: Uint8Array[] }[] = [];
  #root: MimeNode | undefined;
  readonly defects: MimeDefect[] = [];

  /** Feeds one event (need-data and end are ignored). */
  add(event: MimeEvent): void {
    switch (event.type) {
      case 'part-start': {
        const headers = new HeaderList(event.headers);
        const disposition = parseContentDisposition(headers.get('content-disposition'));
        const node: MimeNode = {
          path: event.path, kind: event.kind, headers, contentType: event.contentType,
          transferEncoding: event.transferEncoding, disposition,
          filename: disposition?.params['filename'] ?? event.contentType.params['name'],
          offsets: { ...event.offsets, bodyEnd: event.offsets.bodyStart }, sizeBytes: 0, lines: 0,
          children: [], content: new Uint8Array(0),
        };
        const parent = this.#stack[this.#stack.length - 1];
        if (parent) parent.node.children.push(node);
        else this.#root = node;
        this.#stack.push({ node, chunks: [] });
        return;
      }
      case 'body-chunk':
        this.#stack[this.#stack.length - 1]?.chunks.push(event.bytes);
        return;
      case 'part-end': {
        const open = this.#stack.pop();
        if (!open) return;
        open.node.offsets = event.offsets;
        open.node.sizeBytes = event.sizeBytes;
        open.node.lines = event.lines;
        open.node.content = joinChunks(open.chunks);
        return;
      }
      case 'defect':
        this.defects.push(event.defect);
        return;
      case 'header':
      case 'need-data':
      case 'end':
        return;
    }
  }

  /** The root node, once its part-end was added. */
  get root(): MimeNode | undefined {
    return this.#stack.length === 0 ? this.#root : undefined;
  }
}

/** One Uint8Array of the chunks, copying only when there are several. */
function joinChunks(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
