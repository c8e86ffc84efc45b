/**
 * Refuses deeply nested JSON before it is parsed. JSON.parse itself copes with deep nesting, but slowly (a 4 MB
 * body of brackets takes over a second, all of it on the event loop) and what it returns overflows the stack of
 * every recursive consumer. Counting brackets outside strings is one pass over the bytes: quotes, backslashes and
 * brackets are ASCII, and no byte of a multi-byte UTF-8 character is.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/** Whether the JSON text in `bytes` nests objects and arrays deeper than `max`. */
export function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (OPENERS.has(b)) {
      if (++depth > max) return true;
    } else if (CLOSERS.has(b)) depth--;
  }
  return false;
}

/** The error body-parser's `verify` throws for such a body; errors.ts answers it with 400. */
export class TooDeepError extends Error {
  readonly type = 'too-deep';
  constructor(readonly max: number) {
    super(`the request body nests objects and arrays more than ${max} levels deep; the limit is ${max}`);
  }
}
