/**
 * Lists a dataset folder the way kohya and ai-toolkit read it: images with same-named caption files,
 * `<repeats>_<name>` subfolders, optional recursion. Symlinks are checked against the allowed roots.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import type { PathPolicy } from '../../api';
import { IMAGE_EXTENSIONS } from './decode';

export type ScannedImage = {
  /** Path relative to the scanned folder with `/` separators: the item's id. */
  rel: string;
  abs: string;
  size: number;
  mtimeMs: number;
  repeats: number;
  /** The caption file beside it, if any (absolute path). */
  captionPath?: string;
  captionSize?: number;
  captionMtimeMs?: number;
};

export type ScanProblem = { rel: string; code: 'outside-root' | 'unreadable'; message: string };

export type ScanResult = { images: ScannedImage[]; problems: ScanProblem[]; kohyaNames: string[] };

const KOHYA_FOLDER = /^(\d+)_(.+)$/;

/** Parses a kohya `<repeats>_<name>` folder name. */
export function parseKohyaFolder(name: string): { repeats: number; name: string } | undefined {
  const m = KOHYA_FOLDER.exec(name);
  if (!m) return undefined;
  const repeats = Number(m[1]);
  return repeats > 0 ? { repeats, name: m[2] as string } : undefined;
}

/** Lists images under `root` (a real path inside the allowed roots); kohya subfolders are always read. */
export async function scanFolder(
  root: string,
  opts: { recursive: boolean; captionExt: string; paths: PathPolicy },
): Promise<ScanResult> {
  const result: ScanResult = { images: [], problems: [], kohyaNames: [] };
  const rootKohya = parseKohyaFolder(basename(root));
  const visited = new Set<string>();
  const walk = async (dir: string, repeats: number, depth: number): Promise<void> => {
    if (visited.has(dir)) return;
    visited.add(dir);
    const entries = await readdir(dir, { withFileTypes: true });
    const names = new Set(entries.map((e) => e.name));
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))) {
      const abs = join(dir, entry.name);
      const rel = relative(root, abs).split(sep).join('/');
      let real = abs;
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          real = opts.paths.resolve(abs, 'read', 'folder');
          isDir = (await stat(real)).isDirectory();
        } catch (err) {
          result.problems.push({
            rel,
            code: 'outside-root',
            message: `it is a link to a place outside the allowed folders (${errorText(err)})`,
          });
          continue;
        }
      }
      if (isDir) {
        const kohya = parseKohyaFolder(entry.name);
        if (kohya && depth === 0) result.kohyaNames.push(kohya.name);
        if (kohya || opts.recursive) await walk(real, kohya?.repeats ?? repeats, depth + 1);
        continue;
      }
      const ext = extname(entry.name).toLowerCase();
      if (!(IMAGE_EXTENSIONS as readonly string[]).includes(ext)) continue;
      try {
        const st = await stat(real);
        const image: ScannedImage = { rel, abs: real, size: st.size, mtimeMs: st.mtimeMs, repeats };
        const captionName = entry.name.slice(0, entry.name.length - extname(entry.name).length) + opts.captionExt;
        if (names.has(captionName)) await attachCaption(image, join(dir, captionName), opts.paths, result, rel);
        result.images.push(image);
      } catch (err) {
        result.problems.push({ rel, code: 'unreadable', message: `it cannot be read (${errorText(err)})` });
      }
    }
  };
  await walk(root, rootKohya?.repeats ?? 1, 0);
  if (rootKohya) result.kohyaNames.push(rootKohya.name);
  return result;
}

async function attachCaption(
  image: ScannedImage,
  path: string,
  paths: PathPolicy,
  result: ScanResult,
  rel: string,
): Promise<void> {
  try {
    const real = (await lstat(path)).isSymbolicLink() ? paths.resolve(path, 'read', 'folder') : path;
    const st = await stat(real);
    image.captionPath = real;
    image.captionSize = st.size;
    image.captionMtimeMs = st.mtimeMs;
  } catch (err) {
    result.problems.push({
      rel,
      code: 'outside-root',
      message: `its caption is a link outside the allowed folders (${errorText(err)})`,
    });
  }
}

/** Stats single files given by path (the editor's uploads) into the same shape as a folder scan. */
export async function statFiles(files: readonly string[], captionExt: string): Promise<ScannedImage[]> {
  const out: ScannedImage[] = [];
  for (const abs of files) {
    const st = await stat(abs);
    const name = basename(abs);
    const image: ScannedImage = { rel: `uploads/${name}`, abs, size: st.size, mtimeMs: st.mtimeMs, repeats: 1 };
    const captionPath = abs.slice(0, abs.length - extname(abs).length) + captionExt;
    const cst = await stat(captionPath).catch(() => undefined);
    if (cst?.isFile()) Object.assign(image, { captionPath, captionSize: cst.size, captionMtimeMs: cst.mtimeMs });
    out.push(image);
  }
  return out;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
