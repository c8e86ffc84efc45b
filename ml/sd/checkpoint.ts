/**
 * The SD checkpoint loader's API: what the graphs (ml/sd/unet.ts, clip.ts, vae.ts) and LoadModel call.
 *
 *   const ckpt = openSdCheckpoint('/models/v1-5-pruned-emaonly.safetensors'); // or a diffusers folder
 *   ckpt.family;                        // 'sd15' (others are refused: see detect.ts)
 *   ckpt.widths.unet.modelChannels;     // 320 (32 in the tiny test model), all read from shapes
 *   ckpt.tensor('model.diffusion_model.input_blocks.1.1.proj_in.weight'); // { shape: [320, 320, 1, 1], data }
 *   ckpt.close();
 *
 * Names are always the canonical ldm names (spec.ts: UNET_PREFIX, TEXT_PREFIX, VAE_PREFIX; the full list for given
 * widths is keys.ts's sd15Keys), whatever the file's layout: a diffusers folder or a file whose CLIP lacks the
 * `text_model.` level is mapped, and diffusers' Linear VAE attention weights are served as 1x1 convs. Reads are lazy
 * and synchronous (the graph builders are synchronous): only the header is read on open; each tensor() reads that
 * tensor's bytes and converts F16/BF16 to float32 then, so peak memory is what the caller keeps plus one tensor.
 */
import { statSync } from 'node:fs';
import type { Sd15Widths } from './widths';
import { openDiffusersFolder, openLdmFile, type TensorSource } from './sources';
import { checkSd15 } from './detect';
import { pickleError, SdCheckpointError } from './errors';
import { makeSdxlCheckpoint, type SdxlCheckpoint } from './sdxl-checkpoint';

export { pickleError, SdCheckpointError } from './errors';

export type SdFamily = 'sd15' | 'sdxl';
export type SdLayout = 'ldm' | 'diffusers';
export type SdDtype = 'F32' | 'F16' | 'BF16';

/** One weight, decoded to float32, in its canonical (ldm) shape. */
export interface SdTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** An opened SD 1.5 checkpoint. */
export interface Sd15Checkpoint {
  /** The file or diffusers folder, as given. */
  readonly path: string;
  readonly layout: SdLayout;
  readonly family: 'sd15';
  readonly widths: Sd15Widths;
  /** How most UNet weights are stored ("an fp16 checkpoint"). */
  readonly dtype: SdDtype;
  /** Per part, since some files mix (an fp32 VAE in an fp16 file). */
  readonly dtypes: { readonly unet: SdDtype; readonly textEncoder: SdDtype; readonly vae: SdDtype };
  /** Every model weight, by canonical name (the keys of sd15Keys(widths)). */
  readonly names: readonly string[];
  /** Tensors of the file that are not model weights and are not served: schedule buffers, model_ema.*, ... */
  readonly ignored: readonly string[];
  /** Total bytes of the weight files. */
  readonly bytes: number;
  /** The weight files (one for a single file; UNet, text encoder, VAE for a diffusers folder). */
  readonly files: readonly string[];
  has(name: string): boolean;
  /** The canonical shape of a weight without reading it; throws SdCheckpointError for an unknown name. */
  shape(name: string): readonly number[];
  /** Reads one weight (float32); undefined when the model has no such weight. */
  get(name: string): SdTensor | undefined;
  /** Reads one weight (float32); throws SdCheckpointError naming the file and the weight when absent. */
  tensor(name: string): SdTensor;
  /** Closes the files. */
  close(): void;
}

/** Every model family loraflow can open (`family` tells them apart); FLUX joins here with its own type. */
export type SdCheckpoint = Sd15Checkpoint | SdxlCheckpoint;

const PICKLE = /\.(ckpt|pt|pth|bin|pkl)$/i;

/**
 * Opens an SD 1.5 checkpoint: a single `.safetensors` file (ldm layout) or a diffusers folder. Throws
 * SdCheckpointError for pickle files, files that are not models, truncated files and other families (an SDXL base
 * is named as such: open it with openAnySdCheckpoint).
 */
export function openSdCheckpoint(path: string): Sd15Checkpoint {
  const ckpt = openChecked(path, 'sd15');
  if (ckpt.family !== 'sd15') throw new Error('unreachable: openChecked returned another family');
  return ckpt;
}

/** Opens an SD 1.5 or SDXL base checkpoint, the family read from the weights (detect.ts), with the same refusals. */
export function openAnySdCheckpoint(path: string): SdCheckpoint {
  return openChecked(path);
}

/** Opens an SDXL base checkpoint; an SD 1.5 one (or any other family) is refused, naming what was found. */
export function openSdxlCheckpoint(path: string): SdxlCheckpoint {
  const ckpt = openChecked(path, 'sdxl');
  if (ckpt.family !== 'sdxl') throw new Error('unreachable: openChecked returned another family');
  return ckpt;
}

/** What a file of the other family is, said when it was opened as the family of the key. */
const WRONG_FAMILY: Record<SdFamily, [string, string]> = {
  sd15: [
    'detected SDXL base (two text encoders: CLIP-L and OpenCLIP bigG), not SD 1.5',
    'choose the SDXL model family for this checkpoint',
  ],
  sdxl: [
    'detected Stable Diffusion 1.5 (one CLIP-L text encoder, no OpenCLIP bigG), not SDXL base',
    'choose the SD 1.5 model family for this checkpoint',
  ],
};

function openChecked(path: string, only?: SdFamily): SdCheckpoint {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new SdCheckpointError(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!isDir && PICKLE.test(path)) throw pickleError(path);
  const source = isDir ? openDiffusersFolder(path) : openLdmFile(path);
  try {
    if (only && source.family !== only) throw new SdCheckpointError(path, ...WRONG_FAMILY[only]);
    return source.family === 'sdxl' ? makeSdxlCheckpoint(path, source) : makeCheckpoint(path, source);
  } catch (e) {
    source.close();
    throw e;
  }
}

/**
 * The weight access both families share once detection has named the checked weights: lazy reads of those names
 * only (the rest are listed as ignored), with an error naming the file for a missing one.
 */
export function checkedWeights(path: string, source: TensorSource, names: readonly string[]) {
  const known = new Set(names);
  const shape = (name: string): readonly number[] => {
    const e = known.has(name) ? source.entries.get(name) : undefined;
    if (!e) throw new SdCheckpointError(path, `has no weight "${name}"`);
    return e.shape;
  };
  return {
    weights: {
      path,
      layout: source.layout,
      names,
      ignored: [...source.entries.keys()].filter((n) => !known.has(n)).concat(source.unmapped),
      bytes: source.bytes,
      files: source.files,
      has: (name: string) => known.has(name),
      shape,
      get: (name: string) => (known.has(name) ? source.read(name) : undefined),
      tensor(name: string) {
        shape(name);
        return source.read(name);
      },
      close: () => source.close(),
    },
    /** The dtype most weights under `prefix` are stored in. */
    dtypeOf: (prefix: string): SdDtype =>
      majorityDtype(
        names.filter((n) => n.startsWith(prefix)),
        source,
      ),
  };
}

function makeCheckpoint(path: string, source: TensorSource): Sd15Checkpoint {
  const { widths, names } = checkSd15(path, source);
  const { weights, dtypeOf } = checkedWeights(path, source, names);
  return {
    ...weights,
    family: 'sd15',
    widths,
    dtype: dtypeOf('model.diffusion_model.'),
    dtypes: {
      unet: dtypeOf('model.diffusion_model.'),
      textEncoder: dtypeOf('cond_stage_model.'),
      vae: dtypeOf('first_stage_model.'),
    },
  };
}

/** The dtype most of these weights are stored in (F32 when none is a float). */
export function majorityDtype(names: readonly string[], source: TensorSource): SdDtype {
  const counts = new Map<SdDtype, number>();
  for (const n of names) {
    const d = source.entries.get(n)?.dtype;
    if (d === 'F32' || d === 'F16' || d === 'BF16') counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'F32';
}
