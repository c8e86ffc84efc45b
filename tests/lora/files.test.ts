/**
 * LoRA files as other tools see them: SaveCheckpoint writes kohya keys, shapes, dtype and metadata that an
 * independent reader (below, not our loader) finds; LoadLoRA reads kohya and PEFT files back, gives identical
 * samples, and refuses files made for another model or cut short.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TINY_CONFIG } from '../../ml/dit/config';
import { encodeSafetensors } from '../../ml/safetensors';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import { loraGridNode } from '../../nodes/lora/lora-grid';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { saveCheckpointNode } from '../../nodes/lora/save-checkpoint';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { loadModelNode } from '../../nodes/model/load-model';
import type { WorkflowFile } from '../../protocol/workflow';
import { nodeContext } from '../support/node-context';
import { writeTinyModel } from './fixtures';
import { prepare, runNode, TINY_TRAIN, type Prepared } from './setup';

jest.setTimeout(120_000);

type Header = Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> & {
  __metadata__?: Record<string, string>;
};

/** An independent safetensors header reader: 8-byte little-endian length, then JSON. */
function readHeader(file: string): { header: Header; dataStart: number; bytes: Buffer } {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  return { header: JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Header, dataStart: 8 + n, bytes };
}

let p: Prepared;
let lora: LoraValue;
const workflow = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: 'test',
  name: 'files test',
  nodes: [{ id: 'train', type: 'TrainLoRA', params: {}, position: { x: 0, y: 0 } }],
  edges: [],
  groups: [],
  notes: [],
} as WorkflowFile;

beforeAll(async () => {
  p = await prepare(10);
  const out = await runNode(
    trainLoraNode,
    { ...TINY_TRAIN, steps: 10, sampleEvery: 0, outputName: 'xyz_style' },
    { model: p.model, dataset: p.dataset },
    nodeContext(p.dataDir),
  );
  lora = out.lora as LoraValue;
});
afterAll(() => rmSync(p.dataDir, { recursive: true, force: true }));

describe('SaveCheckpoint', () => {
  it('writes kohya keys and shapes, fp16, the ss_* metadata, sshs_model_hash and the workflow', async () => {
    const ctx = { ...nodeContext(p.dataDir), workflow };
    const out = await runNode(
      saveCheckpointNode,
      { folder: 'loras', name: '{name}-r{rank}', dtype: 'fp16' },
      { lora },
      ctx,
    );
    const file = (out.file as { path: string }).path;
    expect(file).toBe(join(p.dataDir, 'root', 'loras', 'xyz_style-step000010-r4.safetensors'));
    const { header, dataStart, bytes } = readHeader(file);
    const meta = header.__metadata__!;
    const keys = Object.keys(header).filter((k) => k !== '__metadata__');
    expect(keys).toHaveLength(2 * 10 * 3); // 2 blocks x (4 attn + 4 cross + 2 mlp) x (down, up, alpha)
    for (const k of keys)
      expect(k).toMatch(
        /^lora_unet_blocks_[01]_(attn|cross|mlp)_(q|k|v|o|fc1|fc2)\.(lora_down\.weight|lora_up\.weight|alpha)$/,
      );
    expect(header['lora_unet_blocks_0_attn_q.lora_down.weight']).toMatchObject({
      dtype: 'F16',
      shape: [4, TINY_CONFIG.width],
    });
    expect(header['lora_unet_blocks_0_mlp_fc1.lora_up.weight']).toMatchObject({
      dtype: 'F16',
      shape: [TINY_CONFIG.width * TINY_CONFIG.mlpRatio, 4],
    });
    expect(header['lora_unet_blocks_1_cross_k.lora_down.weight']!.shape).toEqual([4, TINY_CONFIG.textWidth]);
    expect(header['lora_unet_blocks_0_attn_q.alpha']!.shape).toEqual([]);
    const ends = keys.map((k) => header[k]!.data_offsets).sort((a, b) => a[0] - b[0]);
    expect(dataStart + ends.at(-1)![1]).toBe(bytes.length);
    expect(meta).toMatchObject({
      ss_network_module: 'networks.lora',
      ss_network_dim: '4',
      ss_network_alpha: '4',
      ss_steps: '10',
      ss_max_train_steps: '10',
      ss_num_train_images: '10',
      ss_resolution: '(32, 32)',
      ss_output_name: 'xyz_style-step000010-r4',
      'modelspec.trigger_phrase': 'xyz_style',
      ss_base_model_version: 'loraflow-emoji-dit',
    });
    expect(JSON.parse(meta.ss_tag_frequency!).style.xyz_style).toBe(10);
    expect(Number(meta.ss_training_finished_at)).toBeGreaterThanOrEqual(Number(meta.ss_training_started_at));
    expect(meta.sshs_model_hash).toBe(createHash('sha256').update(bytes.subarray(dataStart)).digest('hex'));
    expect(JSON.parse(meta['loraflow.workflow']!).nodes[0].type).toBe('TrainLoRA');
    // A rerun serves this result from the cache only while the file is still there.
    expect(saveCheckpointNode.cacheStillValid!(out)).toBe(true);
    unlinkSync(file);
    expect(saveCheckpointNode.cacheStillValid!(out)).toBe(false);
  });

  it('a LoRA saved and loaded back gives identical samples', async () => {
    const ctx = nodeContext(p.dataDir);
    await runNode(saveCheckpointNode, { folder: 'loras', name: 'roundtrip', dtype: 'fp32' }, { lora }, ctx);
    const loaded = (await runNode(loadLoraNode, { file: 'loras/roundtrip.safetensors' }, { model: p.model }, ctx))
      .lora as LoraValue;
    expect(loaded).toMatchObject({ rank: 4, alpha: 4, modules: 20, strength: 0.7, trigger: 'xyz_style' });
    const grid = async (l: LoraValue) => {
      const out = await runNode(
        loraGridNode,
        { strengths: ['1'], prompts: ['xyz_style, cat', 'cat'], steps: 3 },
        { model: p.model, loras: [l] },
        ctx,
      );
      return (out.images as { items: { image: { $artifact: string } }[] }).items.map((i) => i.image.$artifact);
    };
    expect(await grid(loaded)).toEqual(await grid(lora));
  });
});

describe('text encoder and optimizer choices', () => {
  it('adapts the text encoder too (lora_te_ keys) and trains with the Prodigy preset', async () => {
    const ctx = nodeContext(p.dataDir);
    const out = await runNode(
      trainLoraNode,
      {
        ...TINY_TRAIN,
        ...trainLoraNode.schema.presets!.prodigy,
        steps: 5,
        sampleEvery: 0,
        targets: 'attention+mlp+text',
        dropout: 0.1,
      },
      { model: p.model, dataset: p.dataset },
      ctx,
    );
    const te = out.lora as LoraValue;
    expect(te.modules).toBe(20 + 6); // + one text layer's q, k, v, o, fc1, fc2
    const { header } = readHeader(ctx.artifacts.pathOf(te.artifact));
    expect(header['lora_te_layers_0_attn_q.lora_down.weight']!.shape).toEqual([4, TINY_CONFIG.textWidth]);
    expect(header.__metadata__!.ss_optimizer).toBe('prodigy');
    expect(header.__metadata__!.ss_text_encoder_lr).toBe('1');
  });
});

describe('LoadLoRA', () => {
  it('reads PEFT files (lora_A/lora_B, no alpha: alpha = rank)', async () => {
    const ctx = nodeContext(p.dataDir);
    const r = 2,
      D = TINY_CONFIG.width;
    const tensors = {
      'transformer.blocks.0.attn.q.lora_A.weight': { shape: [r, D], data: new Float32Array(r * D).fill(0.1) },
      'transformer.blocks.0.attn.q.lora_B.weight': { shape: [D, r], data: new Float32Array(D * r).fill(0.2) },
    };
    writeFileSync(join(p.dataDir, 'root', 'peft.safetensors'), encodeSafetensors(tensors));
    const out = (await runNode(loadLoraNode, { file: 'peft.safetensors', strength: 0.5 }, { model: p.model }, ctx))
      .lora as LoraValue;
    expect(out).toMatchObject({ rank: 2, alpha: 2, modules: 1, strength: 0.5 });
    expect(Object.keys(readHeader(ctx.artifacts.pathOf(out.artifact)).header)).toContain(
      'lora_unet_blocks_0_attn_q.lora_down.weight',
    );
  });

  it('refuses a LoRA made for another model size, naming the module and the shapes', async () => {
    const ctx = nodeContext(p.dataDir);
    await writeTinyModel(join(p.dataDir, 'root', 'wide.safetensors'), { ...TINY_CONFIG, width: 48, heads: 2 });
    const { model: wide } = await runNode(loadModelNode, { file: 'wide.safetensors' }, {}, ctx);
    await runNode(saveCheckpointNode, { folder: 'loras', name: 'tiny-lora', dtype: 'fp16' }, { lora }, ctx);
    await expect(
      runNode(loadLoraNode, { file: 'loras/tiny-lora.safetensors' }, { model: wide }, ctx),
    ).rejects.toMatchObject({
      param: 'file',
      message: expect.stringMatching(
        /does not fit the model wide: module "blocks\.0\.attn\.q" is 48x48 in the base model but the LoRA expects 32x32/,
      ),
    });
  });

  it('refuses a LoRA for another architecture (an SDXL LoRA) and a truncated file', async () => {
    const ctx = nodeContext(p.dataDir);
    const sdxl = encodeSafetensors(
      {
        'lora_unet_input_blocks_4_1_proj_in.lora_down.weight': { shape: [4, 640], data: new Float32Array(2560) },
        'lora_unet_input_blocks_4_1_proj_in.lora_up.weight': { shape: [640, 4], data: new Float32Array(2560) },
      },
      { ss_base_model_version: 'sdxl_base_v1-0' },
    );
    writeFileSync(join(p.dataDir, 'root', 'sdxl.safetensors'), sdxl);
    await expect(runNode(loadLoraNode, { file: 'sdxl.safetensors' }, { model: p.model }, ctx)).rejects.toThrow(
      /was made for another model \(sdxl_base_v1-0\)/,
    );
    const full = readFileSync(ctx.artifacts.pathOf(lora.artifact));
    writeFileSync(join(p.dataDir, 'root', 'cut.safetensors'), full.subarray(0, Math.floor(full.length * 0.6)));
    await expect(runNode(loadLoraNode, { file: 'cut.safetensors' }, { model: p.model }, ctx)).rejects.toMatchObject({
      param: 'file',
      message: expect.stringMatching(/cannot read the LoRA .*cut\.safetensors: .*(truncated|extends past|beyond)/),
    });
  });
});
