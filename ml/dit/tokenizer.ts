/**
 * The byte-level caption tokenizer: UTF-8 bytes of the lower-cased caption after a BOS token, padded with 0.
 * Any new word (a trigger like `xyz_style`) is spelled out in bytes, so it needs no vocabulary change.
 */

/** Token 0 pads; token 1 (a control byte no caption contains) starts every caption, so none is ever empty. */
export const PAD = 0;
export const BOS = 1;

/** Encodes captions into a [captions.length, length] int64 array. */
export function encodeCaptions(captions: readonly string[], length: number): BigInt64Array {
  const out = new BigInt64Array(captions.length * length);
  captions.forEach((caption, i) => out.set(captionTokens(caption, length), i * length));
  return out;
}

/** The tokens of one caption, cut to `length`. */
export function captionTokens(caption: string, length: number): BigInt64Array {
  const bytes = Buffer.from(caption.trim().toLowerCase(), 'utf8');
  const out = new BigInt64Array(length);
  out[0] = BigInt(BOS);
  const n = Math.min(bytes.length, length - 1);
  for (let i = 0; i < n; i++) {
    const b = bytes[i] ?? 0;
    out[i + 1] = BigInt(b === PAD || b === BOS ? 32 : b);
  }
  return out;
}

/** Whether a caption is longer than the model reads (its end would be ignored). */
export function captionTooLong(caption: string, length: number): boolean {
  return Buffer.byteLength(caption.trim(), 'utf8') > length - 1;
}
