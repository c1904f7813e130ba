// The MIME tree of a message description (RFC 2046 §5.1 multiparts, RFC 2387 related):
//
//   mixed ── alternative ── text/plain
//     │            └─────── related ── text/html
//     │                          └──── inline parts with Content-ID
//     ├── attachments
//     └── message/rfc822 (forward)
//
// A level with one child collapses into that child. Each leaf knows its transfer encoding, chosen
// from its content when the content is in memory (streams: base64, message/*: 8bit).
import { MimeError } from '../errors.js';
import { parseContentType } from '../headers/params.js';
import { formatParams } from '../headers/params-format.js';
import type { TransferEncoding } from '../transfer/encode-transfer.js';
import { chooseIdentityEncoding, chooseTransferEncoding, normalizeLineEndings } from './choose-encoding.js';
import { stripAngles } from './identifiers.js';
import type { AttachmentDescription, MessageDescription, PartContent } from './types.js';

/** One field of a part: name and value ready for foldHeader. */
export type PartHeader = [name: string, value: string];

/** A node of the tree to serialize. */
export type Part =
  | { kind: 'leaf'; headers: PartHeader[]; body: Uint8Array | AsyncIterable<Uint8Array>; encoding: TransferEncoding; text: boolean }
  | { kind: 'multipart'; subtype: string; params: Record<string, string>; parts: Part[] };

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

function textLeaf(subtype: string, text: string): Part {
  const body = normalizeLineEndings(utf8(text));
  const encoding = chooseTransferEncoding(body, true);
  return {
    kind: 'leaf',
    headers: [['Content-Type', `text/${subtype}; charset=utf-8`], ['Content-Transfer-Encoding', encoding]],
    body,
    encoding,
    text: true,
  };
}

function inMemory(content: PartContent): Uint8Array | undefined {
  if (typeof content === 'string') return utf8(content);
  return content instanceof Uint8Array ? content : undefined;
}

/** RFC 2046 §5.2.1: message/rfc822 bodies are 7bit, 8bit or binary, never encoded. */
function chooseFor(type: string, bytes: Uint8Array | undefined): TransferEncoding {
  if (type === 'message') return bytes === undefined ? '8bit' : chooseIdentityEncoding(bytes);
  return bytes === undefined ? 'base64' : chooseTransferEncoding(bytes, type === 'text');
}

function attachmentLeaf(a: AttachmentDescription): Part {
  const ct = parseContentType(a.contentType ?? 'application/octet-stream');
  const params: Record<string, string> = { ...ct.params };
  const raw = inMemory(a.content);
  // RFC 2046 §4.1.1 canonical CRLF, except in UTF-16/32 where a line break is not the byte 0x0A.
  const wide = /^utf-?(16|32)/i.test(params['charset'] ?? '');
  const canonical = (ct.type === 'text' && !wide) || ct.type === 'message';
  const bytes = raw !== undefined && canonical ? normalizeLineEndings(raw) : raw;
  // A string is written as UTF-8, so it is labelled UTF-8 whatever charset the type named.
  if (ct.type === 'text' && typeof a.content === 'string') params['charset'] = 'utf-8';
  if (a.filename !== undefined) params['name'] = a.filename;
  const encoding = a.transferEncoding ?? chooseFor(ct.type, bytes);
  if (ct.type === 'message' && (encoding === 'base64' || encoding === 'quoted-printable')) {
    throw new MimeError('invalid-value', `RFC 2046 §5.2.1: ${ct.mediaType} cannot be ${encoding}`);
  }
  const disposition = a.disposition ?? (a.contentId === undefined ? 'attachment' : 'inline');
  const headers: PartHeader[] = [
    ['Content-Type', formatParams(ct.mediaType, params, ['name'])],
    ['Content-Transfer-Encoding', encoding],
    ['Content-Disposition', formatParams(disposition, a.filename === undefined ? {} : { filename: a.filename })],
  ];
  if (a.contentId !== undefined) headers.push(['Content-ID', `<${stripAngles(a.contentId)}>`]);
  return { kind: 'leaf', headers, body: bytes ?? (a.content as AsyncIterable<Uint8Array>), encoding, text: ct.type === 'text' };
}

function multipart(subtype: string, parts: Part[], params: Record<string, string> = {}): Part {
  return parts.length === 1 && parts[0] !== undefined ? parts[0] : { kind: 'multipart', subtype, params, parts };
}

/** Builds the MIME tree of `desc` (no headers of the message itself). */
export function partsOf(desc: MessageDescription): Part {
  const attachments = desc.attachments ?? [];
  const isInline = (a: AttachmentDescription): boolean =>
    desc.html !== undefined && a.contentId !== undefined && (a.disposition ?? 'inline') === 'inline';
  const html =
    desc.html === undefined
      ? undefined
      : multipart('related', [textLeaf('html', desc.html), ...attachments.filter(isInline).map(attachmentLeaf)], {
          type: 'text/html',
        });
  const bodies = [desc.text === undefined ? undefined : textLeaf('plain', desc.text), html].filter((p) => p !== undefined);
  const body = bodies.length === 0 ? undefined : multipart('alternative', bodies);
  const rest = attachments.filter((a) => !isInline(a)).map(attachmentLeaf);
  if (desc.forward !== undefined) rest.push(attachmentLeaf({ content: desc.forward, contentType: 'message/rfc822' }));
  if (rest.length === 0) return body ?? textLeaf('plain', '');
  return { kind: 'multipart', subtype: 'mixed', params: {}, parts: body === undefined ? rest : [body, ...rest] };
}
