/**
 * Automatic captions with a WD14-format image tagger, the kind users already have: a folder with `model.onnx`
 * (input [N, S, S, 3] float32 BGR 0..255, output [N, T] sigmoid probabilities) and `selected_tags.csv`
 * (tag_id,name,category,count; category 0 general, 4 character, 9 rating). Run with onnxruntime-node.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

export type TagCategory = 'general' | 'character' | 'rating';
export type TagInfo = { name: string; category: TagCategory };
export type Tagger = {
  session: ort.InferenceSession;
  tags: TagInfo[];
  size: number;
  inputName: string;
  outputName: string;
};
export type TagThresholds = { general: number; character: number; includeRating: boolean };

const CATEGORY: Record<string, TagCategory> = { '0': 'general', '4': 'character', '9': 'rating' };
const cache = new Map<string, Promise<Tagger>>();

/** Loads (once per model file version) the tagger in `folder`; throws an Error naming the missing file. */
export function loadTagger(folder: string): Promise<Tagger> {
  const modelPath = join(folder, 'model.onnx');
  const tagsPath = join(folder, 'selected_tags.csv');
  for (const p of [modelPath, tagsPath]) {
    try {
      statSync(p);
    } catch {
      throw new Error(
        `the tagger folder has no ${p.endsWith('.csv') ? 'selected_tags.csv' : 'model.onnx'} (a WD14 tagger folder holds both)`,
      );
    }
  }
  const key = `${modelPath}:${statSync(modelPath).mtimeMs}:${statSync(tagsPath).mtimeMs}`;
  let loading = cache.get(key);
  if (!loading) {
    loading = createTagger(modelPath, tagsPath);
    loading.catch(() => cache.delete(key));
    cache.set(key, loading);
  }
  return loading;
}

async function createTagger(modelPath: string, tagsPath: string): Promise<Tagger> {
  const tags = parseTagsCsv(readFileSync(tagsPath, 'utf8'));
  const session = await ort.InferenceSession.create(modelPath, { graphOptimizationLevel: 'all' });
  const inputName = session.inputNames[0] as string;
  const outputName = session.outputNames[0] as string;
  const meta = session.inputMetadata[0];
  const dims = meta && 'shape' in meta ? meta.shape : [];
  const size = typeof dims[1] === 'number' && dims[1] > 0 ? dims[1] : 448;
  return { session, tags, size, inputName, outputName };
}

/** Parses selected_tags.csv (header row; quoted fields allowed). */
export function parseTagsCsv(text: string): TagInfo[] {
  const rows = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = splitCsvLine(rows[0] ?? '');
  const nameCol = header.indexOf('name');
  const catCol = header.indexOf('category');
  if (nameCol < 0 || catCol < 0) throw new Error('selected_tags.csv has no "name" and "category" columns');
  return rows.slice(1).map((row) => {
    const cells = splitCsvLine(row);
    return { name: cells[nameCol] ?? '', category: CATEGORY[cells[catCol] ?? ''] ?? 'general' };
  });
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') ((cur += '"'), i++);
    else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) (cells.push(cur), (cur = ''));
    else cur += c;
  }
  cells.push(cur);
  return cells.map((c) => c.trim());
}

/** The tagger's input for one image: padded to a white square, resized, as float32 BGR 0..255 (NHWC). */
export async function preprocess(imagePath: string, size: number): Promise<Float32Array> {
  const { data } = await sharp(imagePath)
    .flatten({ background: '#ffffff' })
    .resize({ width: size, height: size, fit: 'contain', background: '#ffffff', kernel: 'cubic' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const out = new Float32Array(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    out[i * 3] = data[i * 3 + 2] as number;
    out[i * 3 + 1] = data[i * 3 + 1] as number;
    out[i * 3 + 2] = data[i * 3] as number;
  }
  return out;
}

/** Probabilities per tag for one image. */
export async function tagProbabilities(tagger: Tagger, imagePath: string): Promise<Float32Array> {
  const input = new ort.Tensor('float32', await preprocess(imagePath, tagger.size), [1, tagger.size, tagger.size, 3]);
  const result = await tagger.session.run({ [tagger.inputName]: input });
  return result[tagger.outputName]?.data as Float32Array;
}

/** Tags over their thresholds: characters first, then general tags, each by falling probability; optionally the top rating. */
export function selectTags(probs: ArrayLike<number>, tags: readonly TagInfo[], t: TagThresholds): string[] {
  const scored = tags.map((tag, i) => ({ ...tag, p: probs[i] ?? 0 }));
  const pick = (category: TagCategory, threshold: number) =>
    scored.filter((s) => s.category === category && s.p >= threshold).sort((a, b) => b.p - a.p);
  const chosen = [...pick('character', t.character), ...pick('general', t.general)];
  if (t.includeRating) {
    const top = scored.filter((s) => s.category === 'rating').sort((a, b) => b.p - a.p)[0];
    if (top) chosen.push(top);
  }
  return chosen.map((s) => readableTag(s.name));
}

/** booru tags use underscores for spaces; short emoticons such as `^_^` keep them. */
export function readableTag(name: string): string {
  return name.length > 3 && /[a-z]/i.test(name) ? name.replace(/_/g, ' ') : name;
}
