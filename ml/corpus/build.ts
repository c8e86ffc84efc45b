/** Builds the rendered corpus once into the data folder (one uint8 image file + JSON), and loads it back fast. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { styledCaption } from './captions';
import { listConcepts, DEFAULT_HELD_OUT, type Concept } from './concepts';
import { loadIconSet } from './iconsets';
import { renderEmojis } from './render';
import { BASE_STYLES, type StyleId } from './styles';

/** Bump when rendering or captions change, so old caches are rebuilt. */
const CORPUS_FORMAT = 1;

export interface CorpusOptions {
  /** The data folder; the corpus goes under <dataDir>/corpus/<key>/. */
  dataDir: string;
  size?: number;
  styles?: readonly StyleId[];
  heldOut?: number;
  /** Use only the first N concepts (by codepoint): for tests and quick experiments. */
  limit?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface CorpusItem {
  caption: string;
  /** Index into `concepts`. */
  concept: number;
  style: StyleId;
}

export interface Corpus {
  dir: string;
  size: number;
  styles: StyleId[];
  concepts: Concept[];
  items: CorpusItem[];
  /** [items.length, size, size, 3] RGB bytes, in item order. */
  images: Uint8Array;
}

interface CorpusJson {
  format: 'loraflow.emoji-corpus';
  formatVersion: number;
  size: number;
  styles: StyleId[];
  packages: Record<string, string>;
  concepts: Concept[];
  items: CorpusItem[];
}

/** The cache folder for these options (a hash of everything that changes the content). */
export function corpusDir(opts: CorpusOptions): string {
  const styles = [...(opts.styles ?? BASE_STYLES)];
  const packages = Object.fromEntries(styles.map((s) => [s, loadIconSet(s).version]));
  const key = JSON.stringify([
    CORPUS_FORMAT,
    opts.size ?? 32,
    styles,
    opts.heldOut ?? DEFAULT_HELD_OUT,
    opts.limit ?? 0,
    packages,
  ]);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return path.join(opts.dataDir, 'corpus', `emoji-${opts.size ?? 32}px-${hash}`);
}

/** Returns the corpus for these options, rendering it first if the cache does not hold it yet. */
export async function buildCorpus(opts: CorpusOptions): Promise<Corpus> {
  const dir = corpusDir(opts);
  if (fs.existsSync(path.join(dir, 'corpus.json'))) return loadCorpus(dir);
  const size = opts.size ?? 32;
  const styles = [...(opts.styles ?? BASE_STYLES)];
  let concepts = listConcepts(opts.heldOut ?? DEFAULT_HELD_OUT);
  if (opts.limit !== undefined) concepts = concepts.slice(0, opts.limit);
  const codepoints = concepts.map((c) => c.codepoint);
  const items: CorpusItem[] = [];
  const parts: Uint8Array[] = [];
  const total = styles.length * concepts.length;
  for (const [si, style] of styles.entries()) {
    parts.push(
      await renderEmojis(style, codepoints, { size }, (d) => opts.onProgress?.(si * concepts.length + d, total)),
    );
    concepts.forEach((c, concept) => items.push({ caption: styledCaption(c.text, style), concept, style }));
  }
  const json: CorpusJson = {
    format: 'loraflow.emoji-corpus',
    formatVersion: CORPUS_FORMAT,
    size,
    styles,
    packages: Object.fromEntries(styles.map((s) => [s, loadIconSet(s).version])),
    concepts,
    items,
  };
  // Write into a temp folder, then rename: a crash never leaves a half-written cache behind.
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  fs.mkdirSync(tmp, { recursive: true });
  const fd = fs.openSync(path.join(tmp, 'images.u8'), 'w');
  for (const p of parts) fs.writeSync(fd, p);
  fs.closeSync(fd);
  fs.writeFileSync(path.join(tmp, 'corpus.json'), JSON.stringify(json));
  try {
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(path.join(dir, 'corpus.json'))) throw err; // another process won the race: fine
  }
  return loadCorpus(dir);
}

/** Loads a corpus folder written by `buildCorpus`. */
export function loadCorpus(dir: string): Corpus {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'corpus.json'), 'utf8')) as CorpusJson;
  if (json.format !== 'loraflow.emoji-corpus') throw new Error(`${dir}: not an emoji corpus folder`);
  const buf = fs.readFileSync(path.join(dir, 'images.u8'));
  const expected = json.items.length * json.size * json.size * 3;
  if (buf.byteLength !== expected) throw new Error(`${dir}/images.u8: ${buf.byteLength} bytes, expected ${expected}`);
  const images = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  return { dir, size: json.size, styles: json.styles, concepts: json.concepts, items: json.items, images };
}

/** Indices of the items used for pretraining (held-out concepts excluded). */
export function trainingItems(corpus: Corpus): number[] {
  return corpus.items.flatMap((it, i) => (corpus.concepts[it.concept]?.heldOut ? [] : [i]));
}
