/**
 * The caption tokenizer. Row 0: the UTF-8 bytes of the lower-cased caption after a BOS token, padded with 0; any new
 * word (a trigger like `xyz_style`) is spelled out in bytes, so it needs no vocabulary change. Row 1: at each byte
 * of a word, a hash bucket of the whole word (0 between words), so that the small text encoder gets each word's
 * identity directly instead of having to assemble it from bytes; a new word lands in its own bucket the same way.
 */

/** Token 0 pads; token 1 (a control byte no caption contains) starts every caption, so none is ever empty. */
export const PAD = 0;
export const BOS = 1;

/** What the tokenizer needs of a model config. */
export interface CaptionShape {
  /** Bytes per caption, the BOS token included. */
  readonly textLength: number;
  /** Word hash buckets (bucket 0 marks "not in a word"); 0 or absent: models without word embeddings. */
  readonly wordBuckets?: number;
  /**
   * New words with rows of their own after the hashed table (pivotal tuning: a trigger word's trained embedding),
   * lower-cased word -> its first row (>= wordBuckets) and how many: byte j of the word reads row + min(j,
   * vectors - 1). A word listed here never lands in its hash bucket.
   */
  readonly extraWords?: ReadonlyMap<string, ExtraWordRows>;
}

/** Where a word with an embedding of its own reads it: its first row after the hashed table, and how many. */
export interface ExtraWordRows {
  row: number;
  vectors: number;
}

/** Encodes captions into a [captions.length, 2, textLength] int64 array (bytes, then word buckets). */
export function encodeCaptions(captions: readonly string[], shape: CaptionShape): BigInt64Array {
  const L = shape.textLength;
  const out = new BigInt64Array(captions.length * 2 * L);
  captions.forEach((caption, i) => {
    out.set(captionTokens(caption, L), i * 2 * L);
    out.set(captionWords(caption, L, shape.wordBuckets ?? 0, shape.extraWords), i * 2 * L + L);
  });
  return out;
}

/** The shape of encodeCaptions' output for a batch. */
export function captionIdsShape(batch: number, shape: CaptionShape): number[] {
  return [batch, 2, shape.textLength];
}

/** The byte tokens of one caption, cut to `length`. */
export function captionTokens(caption: string, length: number): BigInt64Array {
  const bytes = captionBytes(caption);
  const out = new BigInt64Array(length);
  out[0] = BigInt(BOS);
  const n = Math.min(bytes.length, length - 1);
  for (let i = 0; i < n; i++) {
    const b = bytes[i] ?? 0;
    out[i + 1] = BigInt(b === PAD || b === BOS ? 32 : b);
  }
  return out;
}

/**
 * The word bucket at each byte position of `captionTokens` (0 at BOS, separators and padding); a word in `extra`
 * gets its own row instead of its hash bucket.
 */
export function captionWords(
  caption: string,
  length: number,
  buckets: number,
  extra?: ReadonlyMap<string, ExtraWordRows>,
): BigInt64Array {
  const out = new BigInt64Array(length);
  if (buckets < 2) return out;
  const bytes = captionBytes(caption);
  for (let start = 0; start < bytes.length;) {
    if (!isWordByte(bytes[start]!)) {
      start++;
      continue;
    }
    let end = start;
    while (end < bytes.length && isWordByte(bytes[end]!)) end++;
    const word = bytes.subarray(start, end);
    const own = extra?.size ? extra.get(word.toString('utf8')) : undefined;
    const bucket = BigInt(1 + (fnv1a(word) % (buckets - 1)));
    for (let i = start; i < end && i + 1 < length; i++)
      out[i + 1] = own ? BigInt(own.row + Math.min(i - start, own.vectors - 1)) : bucket;
    start = end;
  }
  return out;
}

/** Whether `word` is one word to the tokenizer (it can then have an embedding of its own). */
export function isOneWord(word: string): boolean {
  const bytes = captionBytes(word);
  return bytes.length > 0 && bytes.every(isWordByte);
}

/** The hash bucket of one word (the row of `text.word.weight` it reads). */
export function wordBucket(word: string, buckets: number): number {
  return 1 + (fnv1a(captionBytes(word)) % (buckets - 1));
}

/** Whether a caption is longer than the model reads (its end would be ignored). */
export function captionTooLong(caption: string, length: number): boolean {
  return Buffer.byteLength(caption.trim(), 'utf8') > length - 1;
}

function captionBytes(caption: string): Buffer {
  return Buffer.from(caption.trim().toLowerCase(), 'utf8');
}

/** Letters, digits, `_`, `-`, `'` and any non-ASCII byte belong to words; spaces, commas and the rest separate. */
function isWordByte(b: number): boolean {
  return (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b === 95 || b === 45 || b === 39 || b >= 128;
}

/** 32-bit FNV-1a: a fixed, well-spread hash, the same on every machine. */
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}
