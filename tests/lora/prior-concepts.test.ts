/**
 * Prior concepts as a user sets them on TrainLoRA (the built-in model):
 *
 *   tiny model ─┬──────────────────────────────────────────────────────────┐
 *   dataset ────┴─> TrainLoRA (priorConcepts N, priorTarget "base model") ─┴─> lora ─> Sample "<a prior concept>"
 *
 * N of the model's own concepts, spread over its vocabulary, with their corpus images and no sampling, held to the
 * base model: a prompt among them changes less under the LoRA than it does when the LoRA is trained without them;
 * the LoRA check's subjects and priorExclude never serve as prior concepts; SD models refuse the parameter.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { listConcepts, renderEmoji } from '../../ml/corpus';
import { loadModel } from '../../ml/dit/weights';
import { readLora } from '../../ml/lora/file';
import { sampleCombos } from '../../ml/lora/sample';
import { DEFAULT_CHECK_SUBJECTS } from '../../nodes/lora/check-run';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { priorConceptImages, priorConceptList } from '../../nodes/lora/prior-concepts';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { TINY_CONFIG } from '../../ml/dit/config';
import { loadModelNode } from '../../nodes/model/load-model';
import { tinyCheckpoint } from '../sd/fixtures';
import { nodeContext } from '../support/node-context';
import { meanAbsDiff } from './fixtures';
import { prepare, runNode, TINY_TRAIN, type Prepared } from './setup';

jest.setTimeout(180_000);

let p: Prepared;
beforeAll(async () => {
  p = await prepare(6);
});
afterAll(() => rmSync(p.dataDir, { recursive: true, force: true }));

const quick = { ...TINY_TRAIN, sampleEvery: 0, loraCheck: false, priorTarget: 'base model' };

describe('prior concepts (the built-in model)', () => {
  it("spreads N concepts over the model's vocabulary, never one that is held out of it or excluded", () => {
    const known = listConcepts().filter((c) => !c.heldOut);
    const list = priorConceptList(200, ['Red Apple ', known[1]!.text]);
    expect(list).toHaveLength(200);
    expect(new Set(list.map((c) => c.text)).size).toBe(200);
    const texts = list.map((c) => c.text);
    expect(texts).not.toContain('red apple');
    expect(texts).not.toContain(known[1]!.text);
    expect(list.every((c) => known.some((k) => k.codepoint === c.codepoint))).toBe(true);
    // Spread: the first and the last of the vocabulary's thirds are all represented.
    const at = (c: { codepoint: string }) => known.findIndex((k) => k.codepoint === c.codepoint) / known.length;
    expect(Math.min(...list.map(at))).toBeLessThan(0.05);
    expect(Math.max(...list.map(at))).toBeGreaterThan(0.95);
    expect(priorConceptList(0, [])).toEqual([]);
    expect(priorConceptList(100_000, []).length).toBe(known.length);
  });

  it('gives each concept the corpus image the base model learned it from, under its plain caption', async () => {
    const { images, captions } = await priorConceptImages(4, [], 32);
    const list = priorConceptList(4, []);
    expect(captions).toEqual(list.map((c) => c.text));
    const px = 32 * 32 * 3;
    expect(images.subarray(0, px)).toEqual(await renderEmoji('noto', list[0]!.codepoint, { size: 32 }));
    expect(images.subarray(px, 2 * px)).toEqual(await renderEmoji('fluent', list[1]!.codepoint, { size: 32 }));
  });

  it('keeps the LoRA check subjects and priorExclude out, and says how many concepts it holds', async () => {
    const ctx = nodeContext(p.dataDir);
    const exclude = priorConceptList(3, []).map((c) => c.text);
    const params = { ...quick, steps: 5, checkpointEvery: 5, priorConcepts: 2000, priorExclude: exclude };
    await runNode(trainLoraNode, params, { model: p.model, dataset: p.dataset }, ctx);
    const known = listConcepts().filter((c) => !c.heldOut);
    const inVocabulary = [...DEFAULT_CHECK_SUBJECTS, ...exclude].filter((s) => known.some((k) => k.text === s));
    const held = known.length - new Set(inVocabulary).size;
    expect(ctx.logs.join('\n')).toMatch(new RegExp(`prior concepts: ${held} of the model's own concepts`));
    expect(ctx.logs.join('\n')).toMatch(/prior preservation: \d+ class image\(s\).*target: base model/);
  });

  it("a prior concept's prompt changes less under a LoRA trained with it than under one trained without", async () => {
    const model = await loadModel(join(p.dataDir, 'root', 'tiny.safetensors'));
    const concepts = priorConceptList(4, []).map((c) => c.text);
    const train = async (priorConcepts: number) => {
      const ctx = nodeContext(p.dataDir);
      const params = { ...quick, steps: 60, checkpointEvery: 60, learningRate: 0.01, priorConcepts };
      const out = await runNode(trainLoraNode, params, { model: p.model, dataset: p.dataset }, ctx);
      return readLora(ctx.artifacts.pathOf((out.lora as LoraValue).artifact), TINY_CONFIG);
    };
    const change = async (priorConcepts: number) => {
      const set = await train(priorConcepts);
      const [base, lora] = await sampleCombos(model, [[], [{ set, strength: 1 }]], {
        prompts: concepts,
        seed: 5,
        steps: 6,
        guidance: 3,
      });
      return meanAbsDiff(lora!, base!);
    };
    const without = await change(0);
    const held = await change(4);
    expect(without).toBeGreaterThan(1); // the LoRA without them does change these prompts
    expect(held).toBeLessThan(0.7 * without);
  });

  it('refuses prior concepts on a Stable Diffusion model, naming the parameter', async () => {
    const ctx = nodeContext(p.dataDir);
    await tinyCheckpoint(ctx.root, 'tiny-sd15.safetensors', { dtype: 'F16' });
    const sd = await runNode(loadModelNode, { family: 'sd15', checkpoint: 'tiny-sd15.safetensors' }, {}, ctx);
    await expect(
      runNode(
        trainLoraNode,
        { ...quick, priorTarget: 'class images', priorConcepts: 10 },
        { model: sd.model, dataset: p.dataset },
        ctx,
      ),
    ).rejects.toMatchObject({ param: 'priorConcepts', message: expect.stringMatching(/built-in emoji model/) });
  });
});
