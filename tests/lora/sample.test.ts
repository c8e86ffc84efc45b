/**
 * LoRAs in Sample: strength rows, strength 0 is the base model exactly, A1111's <lora:name:w> prompt tags work like
 * the connected LoRA at that strength, and two LoRAs stack.
 */
import { rmSync } from 'node:fs';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { sampleNode } from '../../nodes/model/sample';
import { loraGridNode } from '../../nodes/lora/lora-grid';
import { nodeContext } from '../support/node-context';
import { prepare, runNode, TINY_TRAIN, type Prepared } from './setup';

jest.setTimeout(120_000);

let p: Prepared;
let lora: LoraValue;
let checkpoints: LoraValue[];
beforeAll(async () => {
  p = await prepare(10);
  const out = await runNode(
    trainLoraNode,
    { ...TINY_TRAIN, steps: 10, sampleEvery: 0, outputName: 'xyz' },
    { model: p.model, dataset: p.dataset },
    nodeContext(p.dataDir),
  );
  lora = out.lora as LoraValue;
  checkpoints = out.checkpoints as LoraValue[];
});
afterAll(() => rmSync(p.dataDir, { recursive: true, force: true }));

type Images = { items: { image: { $artifact: string }; caption: string }[] };
const ids = (out: Record<string, unknown>) => (out.images as Images).items.map((i) => i.image.$artifact);
const base = { prompts: ['xyz_style, cat', 'cat'], steps: 3, guidance: 3 };

describe('Sample with LoRAs', () => {
  it('samples one row per strength; strength 0 gives exactly the base model', async () => {
    const ctx = nodeContext(p.dataDir);
    const plain = ids(await runNode(sampleNode, base, { model: p.model }, ctx));
    const out = await runNode(
      sampleNode,
      { ...base, loraStrengths: ['0', '0.7', '1.0'] },
      { model: p.model, loras: [lora] },
      ctx,
    );
    const rows = ids(out);
    expect(rows).toHaveLength(6);
    expect(rows.slice(0, 2)).toEqual(plain);
    expect(rows.slice(4, 6)).not.toEqual(plain);
    expect((out.images as Images).items[2]!.caption).toBe(`xyz_style, cat [${lora.name}@0.7]`);
  });

  it('<lora:name:w> in a prompt applies that LoRA like the input at strength w', async () => {
    const ctx = nodeContext(p.dataDir);
    const viaInput = ids(
      await runNode(sampleNode, { ...base, loraStrengths: ['0.7'] }, { model: p.model, loras: [lora] }, ctx),
    );
    const viaTag = ids(
      await runNode(
        sampleNode,
        {
          ...base,
          prompts: [`xyz_style, cat <lora:${lora.name}:0.7>`, `cat <lora:${lora.name}:0.7>`],
          loraStrengths: ['0'],
        },
        { model: p.model, loras: [lora] },
        ctx,
      ),
    );
    expect(viaTag).toEqual(viaInput);
  });

  it("stacks two LoRAs with the guide's decreasing default strengths, and refuses a tag naming no LoRA", async () => {
    const ctx = nodeContext(p.dataDir);
    const out = await runNode(sampleNode, base, { model: p.model, loras: [lora, { ...lora, name: 'second' }] }, ctx);
    expect((out.images as Images).items[0]!.caption).toBe(`xyz_style, cat [${lora.name}@0.7 + second@0.5]`);
    await expect(
      runNode(sampleNode, { ...base, prompts: ['cat <lora:missing:1>'] }, { model: p.model }, ctx),
    ).rejects.toThrow(/no connected LoRA is named "missing"/);
  });

  it('LoRAGrid: checkpoints x strengths as rows, prompts as columns, strength 0 rows equal to the base model', async () => {
    const ctx = nodeContext(p.dataDir);
    expect(checkpoints.map((c) => c.step)).toEqual([5, 10]);
    const out = await runNode(
      loraGridNode,
      { strengths: ['0', '1'], prompts: base.prompts, steps: 3, guidance: 3 },
      { model: p.model, checkpoints },
      ctx,
    );
    const items = (out.images as Images).items;
    expect(items.map((i) => i.caption)).toEqual(
      ['step 5 @ 0', 'step 5 @ 1', 'step 10 @ 0', 'step 10 @ 1'].flatMap((row) =>
        base.prompts.map((pr) => `${pr} [${row}]`),
      ),
    );
    const cells = ids(out);
    const plain = ids(await runNode(sampleNode, base, { model: p.model }, ctx));
    expect(cells.slice(0, 2)).toEqual(plain);
    expect(cells.slice(4, 6)).toEqual(plain);
    expect(cells.slice(6, 8)).not.toEqual(cells.slice(2, 4)); // step 10 differs from step 5
  });
});
