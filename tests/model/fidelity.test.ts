/**
 * The shipped base model draws what its caption asks for: each prompt's image is nearest (pixel distance) to the
 * real render of its own concept among the other prompts' concepts. Guards the contract between the tokenizer and
 * the committed weights: a change to the caption bytes or the word hash would leave the model drawing blind.
 */
import { listConcepts, renderEmojis, styledCaption, type StyleId } from '../../ml/corpus';
import { DiTSampler } from '../../ml/dit/sampler';
import { loadModel } from '../../ml/dit/weights';
import { SHIPPED_WEIGHTS } from '../../nodes/model/model-value';

/** Concepts of the training set with distinct shapes and colours, in both pretraining styles. */
const TEXTS = ['grinning face', 'red heart', 'purple heart', 'jeans', 'birthday cake', 'ninja', 'globe showing europe africa', 'crying face'];

function features(tiles: Uint8Array, n: number): Float32Array[] {
  // 16x16 box-filtered pixels: small shifts matter less than at full size.
  return Array.from({ length: n }, (_, k) => {
    const v = new Float32Array(16 * 16 * 3);
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++)
        for (let c = 0; c < 3; c++) v[((y >> 1) * 16 + (x >> 1)) * 3 + c]! += tiles[k * 3072 + (y * 32 + x) * 3 + c]! / 1020;
    return v;
  });
}

const dist = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);

it.each<StyleId>(['noto', 'fluent'])('the shipped model draws the concept its caption names (%s style)', async (style) => {
  const byText = new Map(listConcepts().map((c) => [c.text.toLowerCase(), c]));
  const concepts = TEXTS.map((t) => byText.get(t.toLowerCase()) ?? fail(`no concept "${t}"`));
  expect(concepts.every((c) => !c.heldOut)).toBe(true);
  const real = features(await renderEmojis(style, concepts.map((c) => c.codepoint)), concepts.length);
  const model = await loadModel(SHIPPED_WEIGHTS);
  const sampler = new DiTSampler(model.config, model.weights, undefined, 2);
  const prompts = concepts.map((c) => styledCaption(c.text, style));
  const made = features(await sampler.sample({ prompts, seed: 0, steps: 20, guidance: 4, batch: 8 }), prompts.length);
  await sampler.release();
  const nearest = made.map((m) => real.reduce((best, r, i) => (dist(m, r) < dist(m, real[best]!) ? i : best), 0));
  const hits = nearest.filter((j, i) => j === i).length;
  // Chance is 1 in 8 per prompt; a model ignoring the words gets ~1 of 8 right.
  expect(hits).toBeGreaterThanOrEqual(6);
});

function fail(message: string): never {
  throw new Error(message);
}
