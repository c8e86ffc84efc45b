/**
 * Test-only node types for the browser tests, registered with LORAFLOW_EXTRA_NODES:
 *
 *   FakeTrain --images(IMAGES)--> ShowImages
 *      |
 *      +------report(REPORT)  (REPORT into ShowImages.images is the wire the editor must refuse)
 *
 * FakeTrain reports loss/val_loss metrics every step and a checkpoint every 10, previews a PNG now and then, and
 * honours cancel.
 */
import sharp from 'sharp';
import { defineNode, type NodeDefinition } from '../../nodes/api';
import type { ArtifactRef, JsonValue } from '../../protocol/values';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function png(shade: number): Promise<Buffer> {
  return sharp({ create: { width: 32, height: 32, channels: 3, background: { r: shade, g: 80, b: 255 - shade } } })
    .png()
    .toBuffer();
}

const fakeTrain = defineNode<{ steps: number; delay_ms: number; lr: number; seed: number }>({
  schema: {
    type: 'FakeTrain',
    version: 1,
    category: 'test',
    title: 'Fake Train',
    description: 'Pretends to train: loss metrics, previews, a report and images.',
    inputs: [],
    outputs: [
      { name: 'images', type: 'IMAGES' },
      { name: 'report', type: 'REPORT' },
    ],
    params: [
      { name: 'steps', kind: 'int', default: 20, min: 1, max: 10000, tooltip: 'Training steps.' },
      { name: 'delay_ms', kind: 'int', default: 30, min: 0, max: 10000 },
      { name: 'lr', kind: 'number', default: 0.0001, min: 0, max: 1, hint: 'SD1.5: 1e-4; SDXL: 5e-5' },
      { name: 'seed', kind: 'seed', default: 42 },
    ],
    resource: 'cpu',
    cacheable: true,
  },
  async execute(_inputs, p, ctx) {
    const images: ArtifactRef[] = [];
    for (let step = 1; step <= p.steps; step++) {
      await sleep(p.delay_ms);
      const metrics: Record<string, number> = { loss: 1 / step + 0.05 * Math.sin(step) };
      if (step % 5 === 0) metrics.val_loss = 1 / step + 0.1;
      ctx.progress(step, p.steps, metrics);
      if (step % 10 === 0) ctx.checkpoint({ step, file: `step-${step}.ckpt`, loss: metrics.loss });
      if (step === 1 || step % 10 === 0) {
        const ref = await ctx.artifacts.put(await png((step * 37) % 256), 'image/png', `step-${step}.png`);
        ctx.preview(ref, `step ${step}`);
        images.push(ref);
      }
    }
    const report = { rows: [{ step: p.steps, loss: 1 / p.steps }], advice: ['Loss went down: fine.'] } as JsonValue;
    return { images: images as unknown as JsonValue, report };
  },
});

const showImages = defineNode<Record<string, never>>({
  schema: {
    type: 'ShowImages',
    version: 1,
    category: 'test',
    title: 'Show Images',
    description: 'Passes images through.',
    inputs: [{ name: 'images', type: 'IMAGES' }],
    outputs: [],
    params: [],
    resource: 'cpu',
    cacheable: true,
    output: true,
  },
  async execute(inputs) {
    return { images: (inputs.images ?? []) as JsonValue };
  },
});

/** A Sample-like IMAGES value: rows that differ only by LoRA strength (labels as Sample writes them), 3 or 4 prompts. */
const fakeGrid = defineNode<{ prompts: number }>({
  schema: {
    type: 'FakeGrid',
    version: 1,
    category: 'test',
    title: 'Fake Grid',
    description: 'A labelled checkpoint x strength grid, as Sample makes it.',
    inputs: [],
    outputs: [{ name: 'images', type: 'IMAGES' }],
    // Four prompts with a seed each is the SD 1.5 workflow's grid (lighthouse / old man, with and without trigger).
    params: [{ name: 'prompts', kind: 'int', default: 3, min: 3, max: 4 }],
    resource: 'cpu',
    cacheable: true,
    output: true,
  },
  async execute(_inputs, p, ctx) {
    const items: JsonValue[] = [];
    const four = p.prompts === 4;
    const prompts = four
      ? [
          'xyz_style, a lighthouse on a cliff',
          'xyz_style, portrait of an old man',
          'a lighthouse on a cliff',
          'portrait of an old man',
        ]
      : ['xyz_style, grinning face', 'xyz_style, red heart', 'xyz_style, sun'];
    for (const [ri, strength] of ['0', '0.7', '1'].entries())
      for (const [pi, prompt] of prompts.entries()) {
        const row = `xyz_style-step00600@${strength}`;
        const caption = `${prompt} [${row}]`;
        const image = await ctx.artifacts.put(await png(40 * ri + 10 * pi), 'image/png', `s-${ri}-${pi}.png`, {
          caption,
          row,
        });
        items.push({ image, caption, seed: four ? pi : 0 } as unknown as JsonValue);
      }
    return { images: { kind: 'images', items } };
  },
});

export const nodes: NodeDefinition<any>[] = [fakeTrain, showImages, fakeGrid];
