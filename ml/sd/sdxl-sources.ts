/**
 * A diffusers SDXL folder (unet/, text_encoder/, text_encoder_2/, vae/, model_index.json) served under canonical
 * ldm/SAI names. bigG's q/k/v Linear layers are read as the thirds of one fused `attn.in_proj_weight|bias` (rows q,
 * k, v) and `text_projection.weight` is transposed back to P, so the graphs see one layout whatever the file's.
 */
import { join } from 'node:path';
import { SafetensorsError } from '../safetensors';
import type { SdTensor } from './checkpoint';
import { SdCheckpointError } from './errors';
import { componentFile, openFile, type SourceEntry, type TensorSource } from './sources';
import {
  sdxlClipGNameToCanonical,
  sdxlClipLNameToCanonical,
  sdxlUnetNameToCanonical,
  vaeNameToCanonical,
} from './sdxl-diffusers-names';
import type { SyncSafetensors } from './st-sync';

interface Piece {
  readonly file: SyncSafetensors;
  readonly entry: SourceEntry;
  readonly third?: 0 | 1 | 2;
  readonly transposed?: boolean;
}

function readPiece(p: Piece): Float32Array {
  try {
    return p.file.readF32(p.entry.info);
  } catch (err) {
    if (err instanceof SafetensorsError)
      throw new SdCheckpointError(p.file.path, err.message.slice(p.file.path.length + 2));
    throw err;
  }
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = data[i * cols + j]!;
  return t;
}

/** Opens a diffusers SDXL folder whose model_index.json has been read (sources.ts sends XL pipelines here). */
export function openSdxlDiffusersFolder(dir: string): TensorSource {
  const files: SyncSafetensors[] = [];
  try {
    const open = (sub: string, stem: string) => {
      const f = openFile(componentFile(dir, sub, stem));
      files.push(f);
      return f;
    };
    const unet = open('unet', 'diffusion_pytorch_model');
    const clipL = open('text_encoder', 'model');
    const clipG = open('text_encoder_2', 'model');
    const vae = open('vae', 'diffusion_pytorch_model');
    const pieces = new Map<string, Piece[]>();
    const unmapped: string[] = [];
    const unetKeys = [...unet.tensors.keys()];
    const upHasAttention = (i: number) => unetKeys.some((k) => k.startsWith(`up_blocks.${i}.attentions.`));
    const vaeLevels = new Set(
      [...vae.tensors.keys()].map((k) => k.match(/^decoder\.up_blocks\.(\d+)\./)?.[1]).filter(Boolean),
    ).size;
    type Mapped = { name: string; third?: 0 | 1 | 2; transposed?: boolean; linearized?: boolean } | undefined;
    const add = (file: SyncSafetensors, sub: string, map: (k: string) => Mapped) => {
      for (const info of file.tensors.values()) {
        const m = map(info.name);
        if (!m) {
          unmapped.push(`${sub}/${info.name}`);
          continue;
        }
        const shape = m.linearized && info.shape.length === 2 ? [...info.shape, 1, 1] : info.shape;
        const entry: SourceEntry = { file, info, shape, dtype: info.dtype };
        const list = pieces.get(m.name) ?? [];
        list.push({ file, entry, third: m.third, transposed: m.transposed });
        pieces.set(m.name, list);
      }
    };
    const plain = (name: string | undefined): Mapped => (name === undefined ? undefined : { name });
    add(unet, 'unet', (k) => plain(sdxlUnetNameToCanonical(k, upHasAttention)));
    add(clipL, 'text_encoder', (k) => plain(sdxlClipLNameToCanonical(k)));
    add(clipG, 'text_encoder_2', (k) => sdxlClipGNameToCanonical(k));
    add(vae, 'vae', (k) => vaeNameToCanonical(k, vaeLevels));
    const entries = new Map<string, SourceEntry>();
    for (const [name, list] of pieces) {
      const [head] = list;
      if (!head) continue;
      let shape = head.entry.shape;
      if (head.third !== undefined) {
        if (list.length !== 3 || new Set(list.map((p) => p.third)).size !== 3)
          throw new SdCheckpointError(join(dir, 'text_encoder_2'), `lacks one of q/k/v for "${name}"`);
        list.sort((a, b) => (a.third ?? 0) - (b.third ?? 0));
        shape = [3 * (shape[0] ?? 0), ...shape.slice(1)];
      } else if (head.transposed) shape = [...shape].reverse();
      entries.set(name, { ...head.entry, shape });
    }
    return {
      layout: 'diffusers',
      family: 'sdxl',
      entries,
      unmapped,
      bytes: files.reduce((a, f) => a + f.size, 0),
      files: files.map((f) => f.path),
      read(name): SdTensor {
        const list = pieces.get(name);
        const e = entries.get(name);
        if (!list || !e) throw new SdCheckpointError(dir, `has no tensor "${name}"`);
        if (list.length === 3) {
          const parts = list.map(readPiece);
          const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
          let at = 0;
          for (const p of parts) out.set(p, (at += p.length) - p.length);
          return { shape: e.shape, data: out };
        }
        const data = readPiece(list[0]!);
        const [rows = 0, cols = 0] = e.shape;
        return { shape: e.shape, data: list[0]!.transposed ? transpose(data, cols, rows) : data };
      },
      close: () => files.forEach((f) => f.close()),
    };
  } catch (e) {
    files.forEach((f) => f.close());
    throw e;
  }
}
