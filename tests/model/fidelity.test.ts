/**
 * The shipped base model draws what its caption asks for: each prompt's image is nearest (pixel distance) to the
 * real render of its own concept among the other prompts' concepts. Guards the contract between the tokenizer and
 * the committed weights: a change to the caption bytes or the word hash would leave the model drawing blind.
 */
import { downsampleTiles, listConcepts, renderEmojis, styledCaption, type StyleId } from '../../ml/corpus';
import { DiTSampler } from '../../ml/dit/sampler';
import { loadModel } from '../../ml/dit/weights';
import { SHIPPED_WEIGHTS } from '../../nodes/model/model-value';

/** Concepts of the training set with distinct shapes and colours, in both pretraining styles. */
const TEXTS = [
  'grinning face',
  'red heart',
  'purple heart',
  'jeans',
  'birthday cake',
  'ninja',
  'globe showing europe africa',
  'crying face',
];

/** Per-tile pixel features at 16x16. */
function features(tiles: Uint8Array): Float32Array[] {
  const all = downsampleTiles(tiles, 32, 2);
  return Array.from({ length: all.length / 768 }, (_, k) => all.subarray(k * 768, (k + 1) * 768));
}

const dist = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);

it.each<StyleId>(['noto', 'fluent'])(
  'the shipped model draws the concept its caption names (%s style)',
  async (style) => {
    const byText = new Map(listConcepts().map((c) => [c.text.toLowerCase(), c]));
    const concepts = TEXTS.map((t) => byText.get(t.toLowerCase()) ?? fail(`no concept "${t}"`));
    expect(concepts.every((c) => !c.heldOut)).toBe(true);
    const real = features(
      await renderEmojis(
        style,
        concepts.map((c) => c.codepoint),
      ),
    );
    const model = await loadModel(SHIPPED_WEIGHTS);
    const sampler = new DiTSampler(model.config, model.weights, undefined, 2);
    const prompts = concepts.map((c) => styledCaption(c.text, style));
    const made = features(await sampler.sample({ prompts, seed: 0, steps: 20, guidance: 4, batch: 8 }));
    await sampler.release();
    const nearest = made.map((m) => real.reduce((best, r, i) => (dist(m, r) < dist(m, real[best]!) ? i : best), 0));
    const hits = nearest.filter((j, i) => j === i).length;
    // Chance is 1 in 8 per prompt; a model ignoring the words gets ~1 of 8 right.
    expect(hits).toBeGreaterThanOrEqual(6);
  },
);

function fail(message: string): never {
  throw new Error(message);
}
