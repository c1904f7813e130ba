/** The result of a wire decoder (STYLE.md §6): a value and how many bytes it used, "need more", or an error. */
export type DecodeResult<T, E = string> =
  | { readonly ok: true; readonly value: T; readonly consumed: number }
  | { readonly ok: false; readonly need: 'more' }
  | { readonly ok: false; readonly error: E };
