/**
 * LoRACheck on an SD 1.5 checkpoint (a generated tiny one), through the SD sampling path:
 *
 *   LoadModel(sd15) ─┬──────────────────────────────────────────────┐
 *   LoadLoRA (weak), LoadLoRA (strong) ─ loras ───────────────────> LoRACheck (64 px) ─> best, grid, report
 *
 * every LoRA x strength gets its figures against the base checkpoint itself, the best is one of them, and a LoRA of
 * the other family or a size SD cannot draw is refused naming the parameter.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeKohya } from '../../ml/lora/file';
import { newSd15Adapters } from '../../ml/sd/lora-file';
import { sd15LoraModules } from '../../ml/sd/lora-names';
import { shrinkTiles } from '../../nodes/lora/check-run';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import { loraCheckNode } from '../../nodes/lora/lora-check';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { loadModelNode } from '../../nodes/model/load-model';
import type { Sd15ModelValue } from '../../nodes/model/sd-model-value';
import type { ArtifactRef, JsonValue } from '../../protocol/values';
import { tinyCheckpoint } from '../sd/fixtures';
import { nodeContext, runNode, tempDataDir } from '../support/node-context';

jest.setTimeout(600_000);

let dataDir: string;
let model: JsonValue;
let loras: LoraValue[];

/** A LoRA on every UNet module of the tiny model, its up matrices filled at `scale` (a trained one's look). */
async function writeLora(file: string, scale: number, seed: number): Promise<void> {
  const widths = (model as unknown as Sd15ModelValue).widths;
  const adapters = newSd15Adapters(sd15LoraModules(widths), 4, 4, seed);
  for (const a of adapters) for (let i = 0; i < a.up.length; i++) a.up[i] = scale * Math.sin(i * 1.3 + seed);
  await writeKohya(file, adapters, { 'modelspec.trigger_phrase': 'xyz_disc' }, 'F32');
}

beforeAll(async () => {
  dataDir = tempDataDir('sd-check');
  const ctx = nodeContext(dataDir);
  await tinyCheckpoint(ctx.root, 'tiny-sd15.safetensors', { dtype: 'F16' });
  model = (await runNode(loadModelNode, { family: 'sd15', checkpoint: 'tiny-sd15.safetensors' }, {}, ctx)).model!;
  mkdirSync(join(ctx.root, 'loras'), { recursive: true });
  loras = [];
  for (const [name, scale] of [
    ['weak', 0.02],
    ['strong', 0.2],
  ] as const) {
    await writeLora(join(ctx.root, 'loras', `${name}.safetensors`), scale, name.length);
    const out = await runNode(loadLoraNode, { file: `loras/${name}.safetensors`, strength: 1 }, { model }, ctx);
    loras.push(out.lora as LoraValue);
  }
}, 300_000);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('checks every SD 1.5 LoRA with and without the trigger against the base checkpoint, and picks the best', async () => {
  const ctx = nodeContext(dataDir);
  const out = await runNode(
    loraCheckNode,
    { prompts: ['disc', 'a square'], strengths: ['1.0'], steps: 3, guidance: 5, size: 64 },
    { model, loras: loras as unknown as JsonValue },
    ctx,
  );
  const report = out.report as string;
  expect(report).toMatch(/on 2 prompts .*with and without the trigger/);
  const figure = (name: string, what: string) =>
    Number(new RegExp(`${name} @ 1: .*?${what} ([\\d.]+)`).exec(report)?.[1] ?? NaN);
  for (const name of ['weak', 'strong']) {
    expect(report).toMatch(new RegExp(`${name} @ 1: effect [\\d.]+ .*bleeding [\\d.]+ .*subject survival \\d+%`));
    // A UNet LoRA applies with or without the trigger: its bleeding is as large as its effect.
    const share = figure(name, 'bleeding') / figure(name, 'effect');
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThan(2);
  }
  expect(figure('strong', 'effect')).toBeGreaterThan(figure('weak', 'effect'));
  const best = out.best as LoraValue;
  expect(best.family).toBe('sd15');
  expect(['weak', 'strong']).toContain(best.name);
  // 3 rows (base + 2 LoRAs) of 4 tiles (2 prompts with the trigger, 2 without), 64 px tiles shown at 128.
  const meta = await sharp(ctx.artifacts.pathOf(out.grid as ArtifactRef)).metadata();
  expect(meta.height).toBeGreaterThan(3 * 128);
  expect(meta.width).toBeGreaterThan(4 * 128);
});

it('refuses a size SD 1.5 cannot draw, and a LoRA of the emoji model, naming the parameter', async () => {
  const ctx = nodeContext(dataDir);
  const inputs = { model, loras: loras as unknown as JsonValue };
  await expect(runNode(loraCheckNode, { size: 100 }, inputs, ctx)).rejects.toMatchObject({ param: 'size' });
  const emoji = loras.map(({ family: _f, ...rest }) => rest);
  await expect(runNode(loraCheckNode, {}, { model, loras: emoji as unknown as JsonValue }, ctx)).rejects.toMatchObject({
    param: 'loras',
    message: expect.stringMatching(/made for the built-in emoji model/),
  });
});

it('shrinks large tiles for the grid by whole factors (512 px SD images shown at 128)', () => {
  const tile = new Uint8Array(8 * 8 * 3).map((_, i) => (i % 6 < 3 ? 0 : 200));
  const small = shrinkTiles(tile, 8, 4);
  expect(small.size).toBe(4);
  expect(small.tiles.every((v) => v === 100)).toBe(true);
  expect(shrinkTiles(tile, 8, 8).tiles).toBe(tile);
});

it('TrainLoRA on SD 1.5 refuses textual inversion without pivotal tuning, naming the parameter', async () => {
  const ctx = nodeContext(dataDir);
  await expect(runNode(trainLoraNode, { targets: 'trigger embedding only' }, { model }, ctx)).rejects.toMatchObject({
    param: 'targets',
    message: expect.stringMatching(/without pivotal tuning/),
  });
});
