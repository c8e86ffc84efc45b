/**
 * Lists a dataset folder the way kohya and ai-toolkit read it: images with same-named caption files,
 * `<repeats>_<name>` subfolders, optional recursion. Links are resolved through the path policy at every level, and
 * only regular files are ever listed as images or captions: a FIFO named `pipe.png` would block the read forever.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import type { PathPolicy } from '../../api';
import { IMAGE_EXTENSIONS } from './decode';
import { isLoraflowDataFolder } from './own-files';

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

export type ScanProblemCode =
  'outside-root' | 'dangling-link' | 'link-loop' | 'not-a-file' | 'unreadable' | 'loraflow-data';

export type ScanProblem = { rel: string; code: ScanProblemCode; message: string };

export type ScanResult = { images: ScannedImage[]; problems: ScanProblem[]; kohyaNames: string[] };

const KOHYA_FOLDER = /^(\d+)_(.+)$/;

/** Parses a kohya `<repeats>_<name>` folder name. */
export function parseKohyaFolder(name: string): { repeats: number; name: string } | undefined {
  const m = KOHYA_FOLDER.exec(name);
  if (!m) return undefined;
  const repeats = Number(m[1]);
  return repeats > 0 ? { repeats, name: m[2] as string } : undefined;
}

function isImageName(name: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

/** What a file system entry that is neither a folder nor a regular file is, in words. */
export function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/** A link's target through the policy, or the problem that keeps it out (outside, dangling, looping). */
function linkProblem(err: unknown, rel: string, what: string): ScanProblem {
  const reason = (err as { reason?: string }).reason;
  const text = errorText(err);
  if (reason === 'dangling-link')
    return { rel, code: 'dangling-link', message: `${what} is a link whose target does not exist (${text})` };
  if (reason === 'link-loop') return { rel, code: 'link-loop', message: `${what} is a link that loops (${text})` };
  if (reason === 'not-a-file')
    return { rel, code: 'not-a-file', message: `${what} leads to something that is not a file; not opened (${text})` };
  return { rel, code: 'outside-root', message: `${what} is a link to a place outside the allowed folders (${text})` };
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
      let st: Stats;
      try {
        if (entry.isSymbolicLink()) real = opts.paths.resolve(abs, 'read', 'folder');
        st = await stat(real); // stat, never open: opening a FIFO blocks
      } catch (err) {
        if (entry.isSymbolicLink()) result.problems.push(linkProblem(err, rel, 'it'));
        else if (isImageName(entry.name))
          result.problems.push({ rel, code: 'unreadable', message: `it cannot be read (${errorText(err)})` });
        continue;
      }
      if (st.isDirectory()) {
        const kohya = parseKohyaFolder(entry.name);
        // A folder above loraflow's data folder: its samples, checkpoints and cached images are not training images.
        if ((kohya || opts.recursive) && isLoraflowDataFolder(real)) {
          result.problems.push({
            rel,
            code: 'loraflow-data',
            message: `it is loraflow's data folder (${real}), its own samples, checkpoints and cached images; not read`,
          });
          continue;
        }
        if (kohya && depth === 0) result.kohyaNames.push(kohya.name);
        if (kohya || opts.recursive) await walk(real, kohya?.repeats ?? repeats, depth + 1);
        else if (isImageName(entry.name))
          result.problems.push({
            rel,
            code: 'not-a-file',
            message: 'it is a folder, not an image (turn on "Include subfolders" to read the images inside it)',
          });
        continue;
      }
      if (!isImageName(entry.name)) continue;
      if (!st.isFile()) {
        result.problems.push({
          rel,
          code: 'not-a-file',
          message: `it is ${kindOf(st)}, not an image file; not opened`,
        });
        continue;
      }
      const image: ScannedImage = { rel, abs: real, size: st.size, mtimeMs: st.mtimeMs, repeats };
      const captionName = entry.name.slice(0, entry.name.length - extname(entry.name).length) + opts.captionExt;
      if (names.has(captionName)) await attachCaption(image, join(dir, captionName), opts.paths, result.problems);
      result.images.push(image);
    }
  };
  await walk(root, rootKohya?.repeats ?? 1, 0);
  if (rootKohya) result.kohyaNames.push(rootKohya.name);
  return result;
}

/** Attaches the caption file at `path` when it is a regular file inside the allowed folders; else records why not. */
async function attachCaption(
  image: ScannedImage,
  path: string,
  paths: PathPolicy,
  problems: ScanProblem[],
): Promise<void> {
  const what = `its caption ${basename(path)}`;
  const kind = await stat(path).then(
    (st) => (st.isFile() ? undefined : kindOf(st)),
    () => undefined, // a dangling link: the policy names it below
  );
  if (kind) {
    problems.push({ rel: image.rel, code: 'not-a-file', message: `${what} is ${kind}; not read` });
    return;
  }
  let real: string;
  try {
    real = paths.resolve(path, 'read', 'captionExtension'); // links at every level, like any path
  } catch (err) {
    problems.push(linkProblem(err, image.rel, what));
    return;
  }
  try {
    const st = await stat(real);
    if (!st.isFile()) {
      problems.push({ rel: image.rel, code: 'not-a-file', message: `${what} is ${kindOf(st)}; not read` });
      return;
    }
    image.captionPath = real;
    image.captionSize = st.size;
    image.captionMtimeMs = st.mtimeMs;
  } catch (err) {
    problems.push({ rel: image.rel, code: 'unreadable', message: `${what} cannot be read (${errorText(err)})` });
  }
}

/**
 * Stats single files given by path (the editor's uploads, already resolved by the policy) into the same shape as a
 * folder scan. The caption is the same-named file beside each one, and goes through the policy like any path.
 */
export async function statFiles(
  files: readonly string[],
  captionExt: string,
  paths: PathPolicy,
): Promise<{ images: ScannedImage[]; problems: ScanProblem[] }> {
  const out = { images: [] as ScannedImage[], problems: [] as ScanProblem[] };
  for (const abs of files) {
    const name = basename(abs);
    const rel = `uploads/${name}`;
    const st = await stat(abs);
    if (!st.isFile()) {
      out.problems.push({ rel, code: 'not-a-file', message: `it is ${kindOf(st)}, not an image file; not opened` });
      continue;
    }
    const image: ScannedImage = { rel, abs, size: st.size, mtimeMs: st.mtimeMs, repeats: 1 };
    const captionPath = join(dirname(abs), name.slice(0, name.length - extname(name).length) + captionExt);
    if (await lstat(captionPath).catch(() => undefined)) await attachCaption(image, captionPath, paths, out.problems);
    out.images.push(image);
  }
  return out;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
