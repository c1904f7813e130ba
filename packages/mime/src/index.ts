export const placeholder = 1;
// Header fields (task B): parameters, encoded words.
/** Content-Type / Content-Disposition parsing with RFC 2231 parameters (RFC 2045 §5, RFC 2183). */
export {
  parseContentType,
  parseContentDisposition,
  type ContentType,
  type ContentDisposition,
} from './headers/params.js';
/** RFC 2047 encoded words: lenient decoding, encoding of unstructured text where needed. */
export { decodeEncodedWords, encodeEncodedWords } from './headers/encoded-words.js';
/** RFC 5322 §3.4 address lists (with §4.4 obsolete forms, RFC 6532 UTF-8): parse and format. */
export {
  parseAddressList,
  formatAddress,
  formatAddressList,
  type Address,
  type Mailbox,
  type Group,
  type FormatAddressOptions,
} from './headers/addresses.js';
/** RFC 5322 §3.6.4 Message-ID / In-Reply-To / References: the ids without angle brackets. */
export { parseMessageIds } from './headers/message-ids.js';
