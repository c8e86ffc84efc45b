/**
 * LoRACheck as a user wires it:
 *
 *   tiny model ─┬──────────────────────────────┐
 *   dataset ────┴─> TrainLoRA ─ checkpoints ─> LoRACheck ─> best (LORA at its strength), grid (PNG), report
 *
 * every checkpoint x strength gets its line of figures, the best is one of them, and the grid is a labelled image.
 */
import { rmSync } from 'node:fs';
import sharp from 'sharp';
import type { ArtifactRef } from '../../protocol/values';
import { loraCheckNode } from '../../nodes/lora/lora-check';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { nodeContext } from '../support/node-context';
import { prepare, runNode, TINY_TRAIN, type Prepared } from './setup';

jest.setTimeout(120_000);

let p: Prepared;
beforeAll(async () => {
  p = await prepare(10);
});
afterAll(() => rmSync(p.dataDir, { recursive: true, force: true }));

it('checks every checkpoint at every strength with and without the trigger, and picks the best on the figures', async () => {
  const ctx = nodeContext(p.dataDir);
  const trained = await runNode(
    trainLoraNode,
    { ...TINY_TRAIN, steps: 20, checkpointEvery: 10, sampleEvery: 0, loraCheck: false, learningRate: 0.01 },
    { model: p.model, dataset: p.dataset },
    ctx,
  );
  const checkpoints = trained.checkpoints as LoraValue[];
  expect(checkpoints.map((c) => c.step)).toEqual([10, 20]);
  // Each progress call names the phase (QA S5-F5: a bare "1/14" after training read as training restarting).
  const labels = new Set<string | undefined>();
  const out = await runNode(
    loraCheckNode,
    { prompts: ['grinning face', 'red heart', 'sun'], strengths: ['0.5', '1.0'], steps: 4 },
    { model: p.model, checkpoints: trained.checkpoints },
    { ...ctx, progress: (value, max, metrics, label) => (labels.add(label), ctx.progress(value, max, metrics, label)) },
  );
  expect([...labels]).toEqual(['LoRA check: sampling']);
  const report = out.report as string;
  // The trigger comes from the LoRA itself (Caption set xyz_style).
  expect(report).toMatch(/on 3 prompts .*with and without the trigger/);
  for (const row of ['step 10 @ 0.5', 'step 10 @ 1', 'step 20 @ 0.5', 'step 20 @ 1'])
    expect(report).toMatch(new RegExp(`${row}: effect [\\d.]+ .*bleeding [\\d.]+ .*subject survival \\d+%`));
  expect(report).toMatch(/^(finding|ok): /m);
  const best = out.best as LoraValue;
  expect([10, 20]).toContain(best.step);
  expect([0.5, 1]).toContain(best.strength);
  // Labelled grid: a label column and header above 5 rows (base + 2 x 2) of 6 tiles (3 prompts with, 3 without).
  const meta = await sharp(ctx.artifacts.pathOf(out.grid as ArtifactRef)).metadata();
  expect(meta.height).toBeGreaterThan(5 * 64);
  expect(meta.width).toBeGreaterThan(6 * 64);
});

it('refuses to run without a LoRA, naming the input', async () => {
  await expect(runNode(loraCheckNode, {}, { model: p.model }, nodeContext(p.dataDir))).rejects.toMatchObject({
    param: 'checkpoints',
    message: expect.stringMatching(/no LoRA to check/),
  });
});
