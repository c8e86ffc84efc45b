/**
 * Model folders: where base checkpoints and LoRAs are found (and where a trained LoRA may be saved), so the editor
 * can offer them in pickers. loraflow's own are <data>/models and <data>/loras; `--models <folder>` adds a ComfyUI
 * install (models/checkpoints, models/loras) or an A1111 one (models/Stable-diffusion, models/Lora), so a base
 * checkpoint is used where it already is and a LoRA can be saved straight into the folder ComfyUI reads.
 */
import fs from 'node:fs';
import path from 'node:path';

export type ModelKind = 'checkpoints' | 'loras';

export interface ModelFolder {
  kind: ModelKind;
  /** Absolute. */
  path: string;
  /** 'loraflow', 'ComfyUI' or 'A1111', for the picker's labels. */
  source: string;
}

const LAYOUTS: { source: string; checkpoints: string; loras: string }[] = [
  { source: 'ComfyUI', checkpoints: 'models/checkpoints', loras: 'models/loras' },
  { source: 'A1111', checkpoints: 'models/Stable-diffusion', loras: 'models/Lora' },
];

const isDir = (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;

/** The checkpoint and LoRA folders of a ComfyUI or A1111 install (its root or its `models` folder). */
export function detectModelFolders(given: string): ModelFolder[] {
  const root = path.resolve(given);
  for (const base of [root, path.dirname(root)]) {
    for (const l of LAYOUTS) {
      const checkpoints = path.join(base, l.checkpoints);
      const loras = path.join(base, l.loras);
      if (isDir(checkpoints) || isDir(loras))
        return [
          ...(isDir(checkpoints) ? [{ kind: 'checkpoints' as const, path: checkpoints, source: l.source }] : []),
          ...(isDir(loras) ? [{ kind: 'loras' as const, path: loras, source: l.source }] : []),
        ];
    }
  }
  throw new Error(
    `--models ${given}: found neither a ComfyUI install (models/checkpoints, models/loras) nor an A1111 one ` +
      `(models/Stable-diffusion, models/Lora) there; for a folder of checkpoint files use --allow ${given} ` +
      "(then choose the file in LoadModel's Checkpoint field)",
  );
}

/** loraflow's own model folders in the data folder, then those of each `--models` install. */
export function modelFolders(dataDir: string, installs: readonly string[]): ModelFolder[] {
  return [
    { kind: 'checkpoints', path: path.join(dataDir, 'models'), source: 'loraflow' },
    { kind: 'loras', path: path.join(dataDir, 'loras'), source: 'loraflow' },
    ...installs.flatMap(detectModelFolders),
  ];
}

export interface ModelFile {
  /** Absolute. */
  path: string;
  bytes: number;
  source: string;
}

const MAX_FILES = 2000;
const MAX_DEPTH = 3;

/** The bytes of the .safetensors files in a diffusers folder's component folders. */
function folderBytes(dir: string): number {
  let total = 0;
  try {
    for (const part of fs.readdirSync(dir, { withFileTypes: true }))
      if (part.isDirectory())
        for (const f of fs.readdirSync(path.join(dir, part.name), { withFileTypes: true }))
          if (f.isFile() && f.name.endsWith('.safetensors'))
            total += fs.statSync(path.join(dir, part.name, f.name)).size;
  } catch {
    // an unreadable part: LoadModel names it when the folder is opened
  }
  return total;
}

/** PyTorch pickles (as ml/sd/checkpoint.ts refuses them): listed apart, never offered. */
const PICKLE = /\.(ckpt|pt|pth|bin|pkl)$/i;

/** Why a pickle file in a model folder is not offered, and what to do (the pickers show it). */
export const pickleReason = (file: string): string =>
  `${path.extname(file).toLowerCase()} (pickle) files are not loaded because they can run code: convert to .safetensors`;

/** A file of a model folder that is not offered, with why. */
export interface RefusedModelFile extends ModelFile {
  kind: ModelKind;
  reason: string;
}

/** The .safetensors files of the folders of one kind, and the pickle files beside them (not offered). */
function walkModelFiles(
  folders: readonly ModelFolder[],
  kind: ModelKind,
): { files: ModelFile[]; pickles: ModelFile[] } {
  const out: ModelFile[] = [];
  const pickles: ModelFile[] = [];
  const walk = (dir: string, depth: number, source: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // a folder not made yet lists nothing
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= MAX_FILES) return;
      const full = path.join(dir, e.name);
      // A diffusers model is its folder (LoadModel opens model_index.json's folder), not the weight files inside.
      if (e.isDirectory() && kind === 'checkpoints' && fs.existsSync(path.join(full, 'model_index.json')))
        out.push({ path: full, bytes: folderBytes(full), source });
      else if (e.isDirectory() && depth < MAX_DEPTH) walk(full, depth + 1, source);
      else if (e.isFile() && e.name.endsWith('.safetensors'))
        out.push({ path: full, bytes: fs.statSync(full).size, source });
      else if (e.isFile() && PICKLE.test(e.name) && pickles.length < MAX_FILES)
        pickles.push({ path: full, bytes: fs.statSync(full).size, source });
    }
  };
  for (const f of folders) if (f.kind === kind) walk(f.path, 0, f.source);
  return { files: out, pickles };
}

/**
 * The .safetensors files of the folders of one kind (subfolders too, as ComfyUI lists them); for checkpoints, a
 * diffusers folder (with model_index.json) counts as one.
 */
export function listModelFiles(folders: readonly ModelFolder[], kind: ModelKind): ModelFile[] {
  return walkModelFiles(folders, kind).files;
}

/**
 * What the pickers offer (GET /api/models): the files of each kind, and the pickle files (.ckpt, .pt, .pth, .bin,
 * .pkl) beside them, which loraflow does not load (SECURITY.md), listed apart with the reason instead of leaving the
 * user to wonder where v1-5.ckpt went. One walk of each folder.
 */
export function scanModelFolders(folders: readonly ModelFolder[]): {
  checkpoints: ModelFile[];
  loras: ModelFile[];
  refused: RefusedModelFile[];
} {
  const checkpoints = walkModelFiles(folders, 'checkpoints');
  const loras = walkModelFiles(folders, 'loras');
  const refused = (kind: ModelKind, files: ModelFile[]) =>
    files.map((f) => ({ kind, ...f, reason: pickleReason(f.path) }));
  return {
    checkpoints: checkpoints.files,
    loras: loras.files,
    refused: [...refused('checkpoints', checkpoints.pickles), ...refused('loras', loras.pickles)],
  };
}
