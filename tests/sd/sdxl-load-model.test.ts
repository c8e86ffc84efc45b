/**
 * LoadModel with SDXL base checkpoints, through the path policy: the MODEL value it gives (family, widths, hashes,
 * resolution 1024), and files of the other family refused with what they are:
 *
 *   [LoadModel family=sdxl checkpoint=<tiny SDXL file or diffusers folder>] --model--> (Resize, TrainLoRA, Sample)
 *   [LoadModel family=sdxl checkpoint=<SD 1.5 file>]  -> "detected Stable Diffusion 1.5 ... not SDXL base"
 *   [LoadModel family=sd15 checkpoint=<SDXL file>]    -> "detected SDXL base ... not SD 1.5"
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelNode } from '../../nodes/model/load-model';
import { readModel } from '../../nodes/model/model-value';
import { modelFamily, type SdxlModelValue } from '../../nodes/model/sd-model-value';
import { NodeUserError } from '../../nodes/api';
import { TINY_SDXL_WIDTHS } from '../../ml/sd/sdxl-widths';
import { TRAIN_PRESETS } from '../../nodes/lora/presets';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { tinyCheckpoint, tinySdxlCheckpoint } from './fixtures';
import { expectValidOnceCheckpointChosen, loadModelRefusal, readExampleWorkflow } from './training-setup';

let ctx: TestNodeContext;
beforeAll(async () => {
  ctx = tempContext('sdxl-load');
  await tinySdxlCheckpoint(ctx.root, 'xl-f16.safetensors', { dtype: 'F16' });
  await tinySdxlCheckpoint(ctx.root, 'xl-diffusers', { layout: 'diffusers', dtype: 'BF16' });
  await tinyCheckpoint(ctx.root, 'sd15.safetensors', { dtype: 'F16', extras: false });
}, 120_000);
afterAll(() => ctx.cleanup());

const load = async (checkpoint: string, family = 'sdxl') =>
  (await runNode(loadModelNode, { family, checkpoint }, {}, ctx)).model as unknown as SdxlModelValue;

const refusal = (params: Record<string, string>) => loadModelRefusal(ctx, params);

describe('LoadModel with an SDXL base checkpoint', () => {
  it('reports family, widths, dtype, resolution 1024 and the hashes A1111 shows, for a single file', async () => {
    const model = await load('xl-f16.safetensors');
    const bytes = readFileSync(join(ctx.root, 'xl-f16.safetensors'));
    expect(model).toMatchObject({ kind: 'sdxl', family: 'sdxl', layout: 'ldm', dtype: 'F16', resolution: 1024 });
    expect(model.name).toBe('xl-f16');
    expect(model.widths).toEqual(TINY_SDXL_WIDTHS);
    expect(model.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(model.autoV2).toBe(model.sha256.slice(0, 10));
    expect(model.legacyHash).toMatch(/^[0-9a-f]{8}$/);
    expect(modelFamily(model as never)).toBe('sdxl');
    expect(ctx.logs.join('\n')).toMatch(
      /SDXL \(ldm, F16\): UNet 32\/64\/128 \(transformer depths 0\/2\/10\), text encoders CLIP-L 64 x 12 and bigG 64 x 32 layers, VAE 32/,
    );
  });

  it('loads a diffusers folder (both text encoders), and its fingerprint follows the second encoder too', async () => {
    const model = await load('xl-diffusers');
    expect(model).toMatchObject({ kind: 'sdxl', layout: 'diffusers', dtype: 'BF16', widths: TINY_SDXL_WIDTHS });
    const inside = model.files.map((f) => f.slice(model.path.length + 1));
    expect(inside).toContain('text_encoder_2/model.safetensors');
    const params = { family: 'sdxl', file: '', checkpoint: 'xl-diffusers' };
    const fp = await loadModelNode.fingerprint!(params, { paths: ctx.paths, nodeId: 'model' });
    expect(fp).toMatch(/text_encoder_2\/model\.safetensors/);
  });

  it('refuses an SD 1.5 file given as SDXL, saying it is SD 1.5 and which family to pick', async () => {
    const e = await refusal({ family: 'sdxl', checkpoint: 'sd15.safetensors' });
    expect(e).toBeInstanceOf(NodeUserError);
    expect(e.param).toBe('checkpoint');
    expect(e.message).toMatch(/sd15\.safetensors: detected Stable Diffusion 1\.5 .*not SDXL base/);
    expect(e.hint).toMatch(/SD 1\.5 model family/);
  });

  it('refuses an SDXL file given as SD 1.5, saying it is SDXL', async () => {
    const e = await refusal({ family: 'sd15', checkpoint: 'xl-f16.safetensors' });
    expect(e.message).toMatch(/xl-f16\.safetensors: detected SDXL base .*not SD 1\.5/);
    expect(e.hint).toMatch(/SDXL model family/);
  });

  it('asks for a checkpoint when none is chosen, naming the family', async () => {
    const e = await refusal({ family: 'sdxl', checkpoint: '' });
    expect(e.message).toMatch(/no SDXL checkpoint chosen/);
    expect(e.param).toBe('checkpoint');
  });

  it('gives a MODEL that the emoji-only nodes refuse naming SDXL', async () => {
    const model = await load('xl-f16.safetensors');
    expect(() => readModel(model as never)).toThrow(/the "model" input is the SDXL checkpoint "xl-f16"/);
  });
});

describe('the SDXL example workflow', () => {
  const wf = readExampleWorkflow('sdxl-style-lora.json');

  it('fails validation only for the missing checkpoint, and passes once one is chosen', () => {
    expectValidOnceCheckpointChosen(wf, 'models/sd_xl_base_1.0.safetensors');
  });

  it("trains at 1024 px with mixed captions and the guide's SDXL preset", () => {
    const params = (id: string) => wf.nodes.find((n) => n.id === id)!.params;
    expect(params('model')).toMatchObject({ family: 'sdxl' });
    expect(params('resize')).toMatchObject({ resolution: 1024, mode: 'buckets' });
    expect(params('caption')).toMatchObject({ style: 'sdxl' });
    expect(params('train')).toMatchObject({ rank: 32, learningRate: 0.0001, steps: 0, shuffleTags: false });
    expect(TRAIN_PRESETS.sdxl).toMatchObject({ rank: 32, learningRate: 0.0001, steps: 0, shuffleTags: false });
  });
});
