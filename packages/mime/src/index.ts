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
