/**
 * Pivotal tuning as a user meets it: TrainLoRA with `pivotal` gives the trigger word an embedding of its own,
 *
 *   tiny model ─┬────────────────────────────────────────┐
 *   dataset ────┴─> TrainLoRA (pivotal) ─ lora ─> SaveCheckpoint ─> xyz.safetensors (+ bundle_emb.xyz_style...)
 *                                                                     └─> LoadLoRA ─> Sample
 *
 * saved in the file where A1111 reads a LoRA's bundled embedding, and read back by every sampler: prompts with the
 * trigger use it, prompts without it are exactly the model they were.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TINY_CONFIG } from '../../ml/dit/config';
import { captionWords, wordBucket } from '../../ml/dit/tokenizer';
import { loadModel } from '../../ml/dit/weights';
import { encodeKohya, readLora, writeKohya } from '../../ml/lora/file';
import { initialTriggerEmbedding } from '../../ml/lora/pivotal';
import { sampleCombos } from '../../ml/lora/sample';
import { readSafetensors } from '../../ml/safetensors';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { saveCheckpointNode } from '../../nodes/lora/save-checkpoint';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { nodeContext } from '../support/node-context';
import { meanAbsDiff } from './fixtures';
import { prepare, runNode, TINY_TRAIN, type Prepared } from './setup';

jest.setTimeout(120_000);

let p: Prepared;
beforeAll(async () => {
  p = await prepare(6);
});
afterAll(() => rmSync(p.dataDir, { recursive: true, force: true }));

const quick = { ...TINY_TRAIN, steps: 10, sampleEvery: 0, checkpointEvery: 10, loraCheck: false, outputName: 'xyz' };
const modelFile = () => join(p.dataDir, 'root', 'tiny.safetensors');

describe('pivotal tuning', () => {
  it("trains the trigger's embedding from the class word and saves it as A1111's bundle_emb beside the adapters", async () => {
    const ctx = nodeContext(p.dataDir);
    const out = await runNode(
      trainLoraNode,
      { ...quick, pivotal: true, triggerInit: 'style', embeddingLr: 0.03, embeddingVectors: 3 },
      { model: p.model, dataset: p.dataset },
      ctx,
    );
    const lora = out.lora as LoraValue;
    const saved = await runNode(saveCheckpointNode, { folder: 'loras' }, { lora: out.lora }, ctx);
    const file = (saved.file as { path: string }).path;
    const { tensors } = await readSafetensors(file);
    expect(tensors.get('bundle_emb.xyz_style.string_to_param.*')?.shape).toEqual([3, TINY_CONFIG.textWidth]);
    const set = await readLora(ctx.artifacts.pathOf(lora.artifact), TINY_CONFIG);
    expect(set.adapters.length).toBeGreaterThan(0);
    const [emb] = set.embeddings ?? [];
    expect(emb?.word).toBe('xyz_style');
    const start = initialTriggerEmbedding(await loadModel(modelFile()), 'xyz_style', 'style', 3);
    const moved = emb!.vectors.reduce((s, v, i) => s + Math.abs(v - start[i]!), 0) / start.length;
    expect(moved).toBeGreaterThan(1e-3); // trained, not the class word's row left as it was
  });

  it("the object-embedding preset trains the trigger's 9 vectors and no adapter", async () => {
    const preset = trainLoraNode.schema.presets!['object-embedding']!;
    const names = new Set(trainLoraNode.schema.params.map((x) => x.name));
    expect(Object.keys(preset).filter((k) => !names.has(k))).toEqual([]);
    const ctx = nodeContext(p.dataDir);
    const out = await runNode(trainLoraNode, { ...preset, ...quick }, { model: p.model, dataset: p.dataset }, ctx);
    const set = await readLora(ctx.artifacts.pathOf((out.lora as LoraValue).artifact), TINY_CONFIG);
    expect(set.adapters).toEqual([]);
    expect(set.embeddings?.[0]?.vectors.length).toBe(9 * TINY_CONFIG.textWidth);
  });

  it('refuses pivotal tuning without a trigger word, naming the parameter', async () => {
    const none = await prepare(3, '');
    try {
      await expect(
        runNode(
          trainLoraNode,
          { ...quick, pivotal: true },
          { model: none.model, dataset: none.dataset },
          nodeContext(none.dataDir),
        ),
      ).rejects.toMatchObject({ param: 'pivotal', message: expect.stringMatching(/trigger word/) });
    } finally {
      rmSync(none.dataDir, { recursive: true, force: true });
    }
  });

  it('a bundled embedding changes only the prompts that have the trigger; strength 0 is the base model', async () => {
    const model = await loadModel(modelFile());
    const vector = Float32Array.from({ length: TINY_CONFIG.textWidth }, (_, i) => Math.sin(i) * 2);
    const file = join(p.dataDir, 'emb-only.safetensors');
    await writeKohya(file, [], {}, 'F32', [{ word: 'xyz_style', vectors: vector, width: TINY_CONFIG.textWidth }]);
    const set = await readLora(file, TINY_CONFIG);
    expect(set.adapters).toEqual([]);
    const prompts = ['xyz_style, cat', 'cat', 'xyz_stylex, cat'];
    const [base, used, off] = await sampleCombos(model, [[], [{ set, strength: 1 }], [{ set, strength: 0 }]], {
      prompts,
      seed: 3,
      steps: 3,
      guidance: 3,
    });
    const px = 32 * 32 * 3;
    const tile = (t: Uint8Array, i: number) => t.subarray(i * px, (i + 1) * px);
    expect(meanAbsDiff(tile(used!, 0), tile(base!, 0))).toBeGreaterThan(0.5);
    expect(tile(used!, 1)).toEqual(tile(base!, 1)); // no trigger: untouched
    expect(tile(used!, 2)).toEqual(tile(base!, 2)); // another word that only starts like it: untouched
    expect(off).toEqual(base);
  });

  it('LoadLoRA keeps the bundled embedding and says so', async () => {
    const ctx = nodeContext(p.dataDir);
    const vector = new Float32Array(TINY_CONFIG.textWidth).fill(0.5);
    const bytes = encodeKohya([], {}, 'F32', [{ word: 'xyz_style', vectors: vector, width: TINY_CONFIG.textWidth }]);
    const file = join(p.dataDir, 'root', 'loras', 'emb.safetensors');
    await writeKohya(file, [], {}, 'F32', [{ word: 'xyz_style', vectors: vector, width: TINY_CONFIG.textWidth }]);
    expect(existsSync(file) && bytes.length > 0).toBe(true);
    const out = await runNode(loadLoraNode, { file: 'loras/emb.safetensors' }, { model: p.model }, ctx);
    expect(ctx.logs.join('\n')).toMatch(/xyz_style bring their own trained embedding/);
    const set = await readLora(ctx.artifacts.pathOf((out.lora as LoraValue).artifact), TINY_CONFIG);
    expect(set.embeddings?.[0]?.vectors).toEqual(vector);
  });

  it('refuses a bundled embedding of the wrong width, naming the word', async () => {
    const file = join(p.dataDir, 'root', 'loras', 'wide.safetensors');
    await writeKohya(file, [], {}, 'F32', [{ word: 'xyz_style', vectors: new Float32Array(7), width: 7 }]);
    await expect(
      runNode(loadLoraNode, { file: 'loras/wide.safetensors' }, { model: p.model }, nodeContext(p.dataDir)),
    ).rejects.toMatchObject({ param: 'file', message: expect.stringMatching(/embedding of "xyz_style" has 7 values/) });
  });

  it('the tokenizer sends the trigger to its own row and every other word to its hash bucket', () => {
    const buckets = TINY_CONFIG.wordBuckets!;
    const extra = new Map([['xyz_style', { row: buckets, vectors: 1 }]]);
    const row = captionWords('xyz_style, red cat', 24, buckets, extra);
    expect(Array.from(row.subarray(1, 10), Number)).toEqual(Array(9).fill(buckets));
    // Three vectors: the first bytes read one each, the rest of the word the last.
    const three = captionWords('xyz_style', 24, buckets, new Map([['xyz_style', { row: buckets, vectors: 3 }]]));
    expect(Array.from(three.subarray(1, 10), Number)).toEqual([0, 1, 2, 2, 2, 2, 2, 2, 2].map((j) => buckets + j));
    expect(Number(row[16])).toBe(wordBucket('cat', buckets));
    expect(captionWords('red cat', 24, buckets, extra)).toEqual(captionWords('red cat', 24, buckets));
  });
});
