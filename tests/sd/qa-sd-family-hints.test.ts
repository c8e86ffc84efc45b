/**
 * LoadModel given an SD 2.x file, an inpainting model or the SDXL refiner (QA-SD S8): each is named, and the hint
 * says what to choose instead. The SD 2.x and SDXL inpainting refusals had no hint; SD 1.5 inpainting and the refiner
 * said "FLUX is planned".
 *
 *   [LoadModel checkpoint=<a tiny key list with 2-D proj_in | 9 input channels | the refiner's encoder>]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAnySdCheckpoint, openSdCheckpoint, SdCheckpointError } from '../../ml/sd/checkpoint';
import { sd15Keys } from '../../ml/sd/keys';
import { sdxlKeys } from '../../ml/sd/sdxl-keys';
import { TINY_SDXL_WIDTHS } from '../../ml/sd/sdxl-widths';
import type { TensorSpec } from '../../ml/sd/spec';
import { TINY_SD15_WIDTHS } from '../../ml/sd/widths';
import { encodeSafetensors } from '../../ml/safetensors';
import { tempDir } from './fixtures';

const dir = tempDir('sd-family-hints');

/** The tiny SD 1.5 key list (zeros) with some shapes changed. */
function variant(
  name: string,
  reshape: (key: string, shape: number[]) => number[],
  keys: readonly TensorSpec[] = sd15Keys(TINY_SD15_WIDTHS),
): string {
  const tensors = Object.fromEntries(
    keys.map((s) => {
      const shape = reshape(s.name, [...s.shape]);
      return [s.name, { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }];
    }),
  );
  const path = join(dir, name);
  writeFileSync(path, encodeSafetensors(tensors));
  return path;
}

function refusal(path: string, open: (p: string) => { close(): void } = openSdCheckpoint) {
  try {
    open(path).close();
  } catch (e) {
    if (e instanceof SdCheckpointError) return { message: e.message, hint: e.hint };
    throw e;
  }
  throw new Error(`${path} opened`);
}

test('an SD 2.x UNet (Linear proj_in) is named, and the hint names the families to choose', () => {
  const sd2 = variant('sd2.safetensors', (k, s) => (/\.proj_(in|out)\.weight$/.test(k) ? s.slice(0, 2) : s));
  const e = refusal(sd2);
  expect(e.message).toMatch(/sd2\.safetensors: .*an SD 2\.x UNet, not SD 1\.5/);
  expect(e.hint).toMatch(/SD 2\.x .*not supported.*SD 1\.5 or SDXL/);
});

test('an inpainting UNet (9 input channels) is named, and the hint says to use the base model it was made from', () => {
  const conv = 'model.diffusion_model.input_blocks.0.0.weight';
  const inpaint = variant('inpaint.safetensors', (k, s) => (k === conv ? [s[0]!, 9, s[2]!, s[3]!] : s));
  const e = refusal(inpaint);
  expect(e.message).toMatch(/inpaint\.safetensors: detected an SD 1\.x UNet with 9 input channels/);
  expect(e.hint).toMatch(/base .*SD 1\.5 model/);
  expect(e.hint).not.toMatch(/FLUX/);
});

test('an SDXL inpainting UNet and the SDXL refiner are named, and the hint says to use the base model', () => {
  const conv = 'model.diffusion_model.input_blocks.0.0.weight';
  const inpaint = variant(
    'xl-inpaint.safetensors',
    (k, s) => (k === conv ? [s[0]!, 9, s[2]!, s[3]!] : s),
    sdxlKeys(TINY_SDXL_WIDTHS),
  );
  const e = refusal(inpaint, openAnySdCheckpoint);
  expect(e.message).toMatch(/xl-inpaint\.safetensors: detected an SDXL UNet with 9 input channels/);
  expect(e.hint).toMatch(/base .*SDXL model/);
  const one = { shape: [1], data: new Float32Array(1) };
  const refiner = join(dir, 'refiner.safetensors');
  writeFileSync(
    refiner,
    encodeSafetensors({
      'model.diffusion_model.input_blocks.0.0.weight': one,
      'conditioner.embedders.0.model.ln_final.weight': one,
    }),
  );
  const r = refusal(refiner, openAnySdCheckpoint);
  expect(r.message).toMatch(/detected SDXL refiner; not supported yet/);
  expect(r.hint).toMatch(/SDXL base checkpoint/);
});
