/**
 * Where each canonical weight lives: one ldm file, or the three weight files of a diffusers folder mapped through
 * diffusers-names.ts. Family detection on the raw names happens here, before any mapping, so that an SDXL, FLUX
 * or LoRA file is named as such instead of failing the SD 1.5 checks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsError, type StDtype, type TensorInfo } from '../safetensors';
import type { SdFamily, SdLayout, SdTensor } from './checkpoint';
import { pickleError, SdCheckpointError } from './errors';
import { isSdxlPipeline, refuseOtherFamilies, refuseOtherPipelines } from './detect';
import { textNameToCanonical, unetNameToCanonical, vaeNameToCanonical } from './diffusers-names';
import { TEXT_PREFIX } from './spec';
import { SyncSafetensors } from './st-sync';
import { openSdxlDiffusersFolder } from './sdxl-sources';

export interface SourceEntry {
  readonly file: SyncSafetensors;
  readonly info: TensorInfo;
  /** The canonical shape (diffusers' Linear VAE attention gets its 1x1). */
  readonly shape: readonly number[];
  readonly dtype: StDtype;
}

export interface TensorSource {
  readonly layout: SdLayout;
  /** The family detect.ts read from the raw names (or model_index.json); the checks of that family follow. */
  readonly family: SdFamily;
  /** Every tensor under its canonical name (weights and extras alike). */
  readonly entries: ReadonlyMap<string, SourceEntry>;
  /** Tensors of a diffusers folder with no canonical name (`vae/...`, listed as ignored). */
  readonly unmapped: readonly string[];
  readonly bytes: number;
  /** The weight files, UNet first. */
  readonly files: readonly string[];
  read(name: string): SdTensor;
  close(): void;
}

export function openFile(path: string): SyncSafetensors {
  try {
    return SyncSafetensors.open(path);
  } catch (e) {
    if (e instanceof SafetensorsError)
      throw new SdCheckpointError(
        path,
        e.message.slice(path.length + 2),
        'the file is damaged or incomplete: download it again',
      );
    throw e;
  }
}

function source(
  family: SdFamily,
  layout: SdLayout,
  files: SyncSafetensors[],
  entries: Map<string, SourceEntry>,
  unmapped: string[],
): TensorSource {
  return {
    family,
    layout,
    entries,
    unmapped,
    bytes: files.reduce((a, f) => a + f.size, 0),
    files: files.map((f) => f.path),
    read(name) {
      const e = entries.get(name);
      if (!e) throw new SdCheckpointError(files[0]?.path ?? '', `has no tensor "${name}"`);
      try {
        return { shape: e.shape, data: e.file.readF32(e.info) };
      } catch (err) {
        if (err instanceof SafetensorsError)
          throw new SdCheckpointError(e.file.path, err.message.slice(e.file.path.length + 2));
        throw err;
      }
    },
    close: () => files.forEach((f) => f.close()),
  };
}

/** A single-file ldm checkpoint; CLIP keys without `text_model.` are mapped to the canonical names. */
export function openLdmFile(path: string): TensorSource {
  const file = openFile(path);
  try {
    const family = refuseOtherFamilies(path, [...file.tensors.keys()]);
    const entries = new Map<string, SourceEntry>();
    const bare = 'cond_stage_model.transformer.';
    for (const info of file.tensors.values()) {
      let name = info.name;
      if (name.startsWith(bare) && !name.startsWith(TEXT_PREFIX)) name = TEXT_PREFIX + name.slice(bare.length);
      entries.set(name, { file, info, shape: info.shape, dtype: info.dtype });
    }
    return source(family, 'ldm', [file], entries, []);
  } catch (e) {
    file.close();
    throw e;
  }
}

/** The weights file of one diffusers component: plain or `.fp16` variant; a pickle-only folder is refused. */
export function componentFile(dir: string, sub: string, stem: string): string {
  for (const name of [`${stem}.safetensors`, `${stem}.fp16.safetensors`]) {
    const p = join(dir, sub, name);
    if (existsSync(p)) return p;
  }
  for (const name of [`${stem}.bin`, `${stem}.fp16.bin`])
    if (existsSync(join(dir, sub, name))) throw pickleError(join(dir, sub, name));
  if (existsSync(join(dir, sub, `${stem}.safetensors.index.json`)))
    throw new SdCheckpointError(join(dir, sub), 'holds sharded weights, which loraflow does not read yet');
  throw new SdCheckpointError(
    dir,
    `is not a diffusers SD folder: ${sub}/${stem}.safetensors is missing`,
    'choose a single .safetensors checkpoint, or a diffusers folder with unet/, text_encoder/, vae/ and model_index.json',
  );
}

/** A diffusers folder (unet/, text_encoder/, vae/, model_index.json), served under canonical names. */
export function openDiffusersFolder(dir: string): TensorSource {
  const index = join(dir, 'model_index.json');
  if (!existsSync(index))
    throw new SdCheckpointError(
      dir,
      'is a folder without model_index.json, so not a diffusers model folder',
      'choose a .safetensors checkpoint file, or the folder of a diffusers model (the one holding model_index.json)',
    );
  let pipeline: unknown;
  try {
    pipeline = (JSON.parse(readFileSync(index, 'utf8')) as { _class_name?: unknown })._class_name;
  } catch (e) {
    throw new SdCheckpointError(index, `is not valid JSON (${(e as Error).message})`);
  }
  if (isSdxlPipeline(typeof pipeline === 'string' ? pipeline : '', existsSync(join(dir, 'text_encoder_2'))))
    return openSdxlDiffusersFolder(dir);
  refuseOtherPipelines(dir, typeof pipeline === 'string' ? pipeline : '', existsSync(join(dir, 'text_encoder_2')));
  const files: SyncSafetensors[] = [];
  try {
    const unet = openFile(componentFile(dir, 'unet', 'diffusion_pytorch_model'));
    files.push(unet);
    const text = openFile(componentFile(dir, 'text_encoder', 'model'));
    files.push(text);
    const vae = openFile(componentFile(dir, 'vae', 'diffusion_pytorch_model'));
    files.push(vae);
    const entries = new Map<string, SourceEntry>();
    const unmapped: string[] = [];
    const unetKeys = [...unet.tensors.keys()];
    const upHasAttention = (i: number) => unetKeys.some((k) => k.startsWith(`up_blocks.${i}.attentions.`));
    const vaeLevels = new Set(
      [...vae.tensors.keys()].map((k) => k.match(/^decoder\.up_blocks\.(\d+)\./)?.[1]).filter(Boolean),
    ).size;
    const add = (
      file: SyncSafetensors,
      sub: string,
      map: (k: string) => { name: string; linearized: boolean } | undefined,
    ) => {
      for (const info of file.tensors.values()) {
        const m = map(info.name);
        if (!m) {
          unmapped.push(`${sub}/${info.name}`);
          continue;
        }
        const shape = m.linearized && info.shape.length === 2 ? [...info.shape, 1, 1] : info.shape;
        entries.set(m.name, { file, info, shape, dtype: info.dtype });
      }
    };
    const plain = (name: string | undefined) => (name === undefined ? undefined : { name, linearized: false });
    add(unet, 'unet', (k) => plain(unetNameToCanonical(k, upHasAttention)));
    add(text, 'text_encoder', (k) => plain(textNameToCanonical(k)));
    add(vae, 'vae', (k) => vaeNameToCanonical(k, vaeLevels));
    return source('sd15', 'diffusers', files, entries, unmapped);
  } catch (e) {
    files.forEach((f) => f.close());
    throw e;
  }
}
