/** BuildEmojiCorpus: renders the emoji corpus of the base model into the data folder (cached across runs). */
import * as path from 'node:path';
import { ALL_STYLES, buildCorpus, parseStyle, tilesToPng, trainingItems } from '../../ml/corpus';
import { defineNode, NodeUserError } from '../api';
import type { JsonValue } from '../../protocol/values';

type CorpusParams = { styles: string[]; size: number; heldOut: number; limit: number };

/** The EMOJI_CORPUS socket value: the cache folder and a summary. */
export type CorpusValue = {
  kind: 'emoji-corpus';
  dir: string;
  images: number;
  training: number;
  styles: string[];
  size: number;
};

/** Checks an input is an EMOJI_CORPUS value. */
export function readCorpus(value: JsonValue | undefined, input = 'corpus'): CorpusValue {
  const v = value as Partial<CorpusValue> | null | undefined;
  if (!v || v.kind !== 'emoji-corpus' || typeof v.dir !== 'string') {
    throw new NodeUserError(`the "${input}" input is not an emoji corpus`, 'connect BuildEmojiCorpus to it', input);
  }
  return v as CorpusValue;
}

export const buildEmojiCorpusNode = defineNode<CorpusParams>({
  schema: {
    type: 'BuildEmojiCorpus',
    version: 1,
    category: 'model',
    title: 'Build emoji corpus',
    description:
      'Renders every emoji concept drawn by all four emoji sets in the chosen styles, captioned "<name>, <style> style", with a fixed set of concepts held out for evaluation. Built once into <data>/corpus.',
    inputs: [],
    outputs: [{ name: 'corpus', type: 'EMOJI_CORPUS' }],
    params: [
      {
        name: 'styles',
        kind: 'list',
        default: ['noto', 'fluent'],
        label: 'Styles',
        tooltip: `Any of ${ALL_STYLES.join(', ')}. The base model uses noto and fluent (Apache-2.0 and MIT): twemoji and openmoji stay out so style LoRAs have something to learn.`,
      },
      { name: 'size', kind: 'int', default: 32, min: 8, max: 128, label: 'Image size' },
      {
        name: 'heldOut',
        kind: 'int',
        default: 64,
        min: 0,
        max: 700,
        label: 'Held-out concepts',
        tooltip: 'Concepts left out of training whose every word appears in other captions.',
      },
      {
        name: 'limit',
        kind: 'int',
        default: 0,
        min: 0,
        label: 'Concept limit',
        tooltip: '0: all 1,594 concepts; a small number for quick experiments.',
      },
    ],
    resource: 'cpu',
    cacheable: true,
  },

  async execute(_inputs, params, ctx) {
    if (params.styles.length === 0)
      throw new NodeUserError('no styles chosen', `use some of ${ALL_STYLES.join(', ')}`, 'styles');
    const styles = params.styles.map((s) => {
      try {
        return parseStyle(s.trim());
      } catch (e) {
        throw new NodeUserError((e as Error).message, undefined, 'styles');
      }
    });
    const dataDir = path.resolve(ctx.paths.roots[0] ?? ctx.workDir);
    const corpus = await buildCorpus({
      dataDir,
      styles,
      size: params.size,
      heldOut: params.heldOut,
      limit: params.limit > 0 ? params.limit : undefined,
      onProgress: (done, total) => ctx.progress(done, total),
    });
    const px = corpus.size * corpus.size * 3;
    const png = await tilesToPng(corpus.images.subarray(0, Math.min(64, corpus.items.length) * px), corpus.size, 16, 2);
    ctx.preview(await ctx.artifacts.put(png, 'image/png', 'corpus.png'), 'first concepts');
    const value: CorpusValue = {
      kind: 'emoji-corpus',
      dir: corpus.dir,
      images: corpus.items.length,
      training: trainingItems(corpus).length,
      styles,
      size: corpus.size,
    };
    ctx.log('info', `${value.images} images (${value.training} for training) in ${corpus.dir}`);
    return { corpus: value };
  },
});
