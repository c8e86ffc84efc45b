/**
 * Tiny random SDXL base checkpoints for tests and benches: the full key set of sd_xl_base_1.0 at narrow widths
 * (TINY_SDXL_WIDTHS, ≈38 M parameters), as an ldm/SAI single file or a diffusers folder, in F32, F16 or BF16, with
 * the extras real files carry (CLIP-L's int64 position_ids, bigG's logit_scale). Values come from tiny.ts's
 * syntheticTensor (deterministic per canonical name and seed), so a diffusers folder's split q/k/v and transposed
 * projection hold exactly the numbers of the fused weights. Generated on demand, never committed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeSafetensorsStreaming, type LazyTensorToWrite } from '../safetensors';
import { replaceAtomically } from '../atomic-write';
import { syntheticTensor, syntheticWeights } from './tiny';
import { SDXL_CLIP_G_PREFIX, SDXL_CLIP_L_PREFIX, sdxlKeys } from './sdxl-keys';
import { sdxlToDiffusers, type SdxlDiffusersComponent, type SdxlDiffusersPiece } from './sdxl-diffusers-names';
import { sdxlDiffusersConfigs } from './sdxl-tiny-configs';
import { TINY_SDXL_WIDTHS, type SdxlWidths } from './sdxl-widths';
import type { TensorSpec } from './spec';
import type { SdxlCheckpoint } from './sdxl-checkpoint';

export interface TinySdxlOptions {
  readonly layout?: 'ldm' | 'diffusers';
  readonly dtype?: 'F32' | 'F16' | 'BF16';
  readonly seed?: number;
  /** Default TINY_SDXL_WIDTHS; SDXL_WIDTHS writes a full-size random model (13.9 GB in F32). */
  readonly widths?: SdxlWidths;
  /** ldm only: CLIP-L's position_ids and bigG's logit_scale (default true). */
  readonly extras?: boolean;
}

type Options = Required<Omit<TinySdxlOptions, 'layout'>>;

function ldmTensors(o: Options): LazyTensorToWrite[] {
  const out: LazyTensorToWrite[] = sdxlKeys(o.widths).map((spec) => ({
    name: spec.name,
    shape: spec.shape,
    dtype: o.dtype,
    data: () => syntheticTensor(spec, o.seed),
  }));
  if (!o.extras) return out;
  const positions = o.widths.clipL.positions;
  out.push({
    name: `${SDXL_CLIP_L_PREFIX}embeddings.position_ids`,
    shape: [1, positions],
    dtype: 'I64',
    data: () => BigInt64Array.from({ length: positions }, (_, i) => BigInt(i)),
  });
  out.push({
    name: `${SDXL_CLIP_G_PREFIX}logit_scale`,
    shape: [],
    dtype: o.dtype,
    data: () => Float32Array.of(4.6052),
  });
  return out;
}

/** The shape one diffusers file tensor has for (its piece of) a canonical weight. */
function pieceShape(shape: readonly number[], piece: SdxlDiffusersPiece): number[] {
  const [rows = 0, cols = 1] = shape;
  if (piece.third !== undefined) return shape.length === 1 ? [rows / 3] : [rows / 3, cols];
  if (piece.transposed) return [cols, rows];
  return piece.linearized ? shape.slice(0, 2) : [...shape];
}

/** The values one diffusers file tensor holds of a canonical weight: all of it, a row third, or its transpose. */
function pieceData(spec: TensorSpec, piece: SdxlDiffusersPiece, seed: number): Float32Array {
  const full = syntheticTensor(spec, seed);
  const [rows = 0, cols = 1] = spec.shape.length === 1 ? [spec.shape[0], 1] : spec.shape;
  if (piece.third !== undefined) {
    const r = rows / 3;
    return full.slice(piece.third * r * cols, (piece.third + 1) * r * cols);
  }
  if (!piece.transposed) return full;
  const t = new Float32Array(full.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = full[i * cols + j]!;
  return t;
}

const FILES: Record<SdxlDiffusersComponent, string> = {
  unet: 'unet/diffusion_pytorch_model.safetensors',
  text_encoder: 'text_encoder/model.safetensors',
  text_encoder_2: 'text_encoder_2/model.safetensors',
  vae: 'vae/diffusion_pytorch_model.safetensors',
};

async function writeDiffusers(dir: string, o: Options): Promise<void> {
  const parts: Record<SdxlDiffusersComponent, LazyTensorToWrite[]> = {
    unet: [],
    text_encoder: [],
    text_encoder_2: [],
    vae: [],
  };
  for (const spec of sdxlKeys(o.widths)) {
    const pieces = sdxlToDiffusers(spec.name, o.widths.vae.channelMult.length);
    if (!pieces) throw new Error(`tiny SDXL checkpoint: no diffusers name for ${spec.name}`);
    for (const piece of pieces) {
      parts[piece.component].push({
        name: piece.name,
        shape: pieceShape(spec.shape, piece),
        dtype: o.dtype,
        data: () => pieceData(spec, piece, o.seed),
      });
    }
  }
  for (const [file, json] of Object.entries(sdxlDiffusersConfigs(o.widths))) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), `${JSON.stringify(json, null, 2)}\n`);
  }
  for (const c of Object.keys(parts) as SdxlDiffusersComponent[])
    await writeSafetensorsStreaming(join(dir, FILES[c]), parts[c], { format: 'pt' });
}

/**
 * Writes a tiny random SDXL base checkpoint to `path` (a `.safetensors` file for ldm, a folder for diffusers); a
 * diffusers folder is built beside `path` and renamed into place. Returns `path`.
 */
export async function writeTinySdxl(path: string, options: TinySdxlOptions = {}): Promise<string> {
  const o: Options = {
    dtype: options.dtype ?? 'F32',
    seed: options.seed ?? 0,
    widths: options.widths ?? TINY_SDXL_WIDTHS,
    extras: options.extras ?? true,
  };
  if ((options.layout ?? 'ldm') === 'ldm') {
    await writeSafetensorsStreaming(path, ldmTensors(o), { format: 'pt' });
    return path;
  }
  await replaceAtomically(path, (tmp) => writeDiffusers(tmp, o));
  return path;
}

/**
 * An SDXL checkpoint that exists only in memory, every weight generated on request (the values a tiny file written
 * with this seed holds). For parity and for timing the full-size architecture with no download (SDXL_WIDTHS).
 */
export function syntheticSdxlCheckpoint(widths: SdxlWidths = TINY_SDXL_WIDTHS, seed = 0): SdxlCheckpoint {
  return {
    ...syntheticWeights('synthetic SDXL', sdxlKeys(widths), seed),
    family: 'sdxl',
    widths,
    dtype: 'F32',
    dtypes: { unet: 'F32', textEncoder: 'F32', textEncoder2: 'F32', vae: 'F32' },
  };
}
