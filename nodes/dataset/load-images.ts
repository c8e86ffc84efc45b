/** LoadImages: a folder of images (and/or editor uploads) with their captions, as a DATASET. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { defineNode, NodeUserError, type NodeContext, type PathPolicy } from '../api';
import { BadFileError, decodeCaption, decodeFileToPng, type DecodeOptions } from './imaging/decode';
import { abortable, createMutex, defaultConcurrency, mapPool } from './imaging/pool';
import { errorText, scanFolder, statFiles, type ScannedImage, type ScanResult } from './imaging/scan';
import { datasetValue } from './dataset-value';
import { ownFilesProblem } from './imaging/own-files';
import type { Dataset, DatasetItem, DatasetWarning } from './types';

type LoadParams = {
  folder: string;
  uploads: string[];
  recursive: boolean;
  captionExtension: string;
  repeats?: number;
  background: string;
  maxMegapixels: number;
  onBadFile: string;
};

export const loadImages = defineNode<LoadParams>({
  schema: {
    type: 'LoadImages',
    version: 2,
    category: 'dataset',
    title: 'Load images',
    description:
      'Reads a folder of images with same-named caption files (kohya / ai-toolkit layout, `<repeats>_<name>` subfolders understood) and images uploaded in the editor. Converts every image to 8-bit sRGB and lists each file it cannot use with the reason.',
    inputs: [],
    outputs: [{ name: 'dataset', type: 'DATASET' }],
    requireOneOf: [{ params: ['folder', 'uploads'], message: 'choose a folder or upload images' }],
    params: [
      {
        name: 'folder',
        kind: 'path',
        pathKind: 'folder',
        access: 'read',
        default: '',
        optional: true,
        imageFolder: true,
        label: 'Folder',
        tooltip:
          'A folder inside the allowed folders; relative paths start at the data folder. Not the data folder itself, nor its artifacts/ or work/: those hold loraflow’s own samples, checkpoints and cached images.',
      },
      {
        name: 'uploads',
        kind: 'list',
        pathPart: 'path-list',
        default: [],
        label: 'Uploaded images',
        tooltip: 'Image files uploaded through the editor (paths under <data>/uploads).',
      },
      {
        name: 'recursive',
        kind: 'boolean',
        default: false,
        label: 'Include subfolders',
        tooltip: 'kohya `<repeats>_<name>` subfolders are always read.',
      },
      {
        name: 'captionExtension',
        kind: 'string',
        pathPart: 'extension',
        default: '.txt',
        label: 'Caption extension',
        hint: 'kohya’s own default is .caption; the guide and ai-toolkit use .txt.',
      },
      {
        name: 'repeats',
        kind: 'int',
        default: 0,
        min: 0,
        max: 1000,
        label: 'Repeats',
        tooltip:
          'Times each image counts per epoch. 0: from `<repeats>_<name>` folder names, else 1; N: every image N times (kohya’s num_repeats).',
      },
      {
        name: 'background',
        kind: 'string',
        default: '#ffffff',
        label: 'Background for transparency',
        tooltip: 'Transparent pixels are flattened onto this colour.',
      },
      {
        name: 'maxMegapixels',
        kind: 'number',
        default: 100,
        min: 0.001,
        label: 'Pixel limit (megapixels)',
        tooltip: 'Larger images are refused (protects against decompression bombs).',
      },
      {
        name: 'onBadFile',
        kind: 'enum',
        options: ['skip', 'fail'],
        default: 'skip',
        label: 'Unusable files',
        tooltip: 'skip: leave them out with a warning naming each; fail: stop and list them.',
      },
    ],
    resource: 'cpu',
    cacheable: true,
  },

  async fingerprint(params, ctx) {
    const hash = createHash('sha256');
    try {
      const scan = await listSources(params, ctx.paths);
      for (const f of scan.images)
        hash.update(JSON.stringify([f.rel, f.abs, f.size, f.mtimeMs, f.captionSize ?? -1, f.captionMtimeMs ?? -1]));
      for (const p of scan.problems) hash.update(JSON.stringify(p));
    } catch (err) {
      hash.update(`unresolvable:${errorText(err)}:${Date.now()}`); // never cache a failure to read the folder
    }
    return hash.digest('hex');
  },

  async execute(_inputs, params, ctx) {
    const scan = await abortable(listSources(params, ctx.paths), ctx.signal);
    const warnings: DatasetWarning[] = scan.problems.map((p) => ({
      file: p.rel,
      code: p.code,
      message: `${p.rel}: ${p.message}`,
    }));
    const decode: DecodeOptions = {
      maxPixels: Math.round(params.maxMegapixels * 1e6),
      background: params.background || '#ffffff',
    };
    ctx.progress(0, scan.images.length);
    const loaded = await mapPool(
      scan.images,
      defaultConcurrency(),
      (img) => abortable(loadOne(img, decode, params.repeats ?? 0, ctx), ctx.signal),
      (n) => ctx.progress(n, scan.images.length),
    );
    const items: DatasetItem[] = [];
    for (const [i, r] of loaded.entries()) {
      const img = scan.images[i] as ScannedImage;
      if (r instanceof BadFileError)
        warnings.push({ file: img.rel, code: r.code, message: `${img.rel}: ${r.message}` });
      else items.push(r);
    }
    if (warnings.length > 0 && params.onBadFile === 'fail') {
      throw new NodeUserError(
        `${warnings.length} unusable file(s): ${warnings.map((w) => w.message).join('; ')}`,
        'fix or remove these files, or set "Unusable files" to skip',
        'onBadFile',
      );
    }
    for (const w of warnings.slice(0, 20)) ctx.warn(`skipped ${w.message}`);
    if (warnings.length > 20) ctx.warn(`…and ${warnings.length - 20} more unusable files (see the dataset's warnings)`);
    if (items.length === 0) {
      throw new NodeUserError(
        `no usable images found${params.folder ? ` in "${params.folder}"` : ''}${warnings.length ? ` (${warnings.length} unusable file(s))` : ''}`,
        'put .jpg/.png/.webp/.gif/.tiff/.avif files in the folder or in `<repeats>_<name>` subfolders, or turn on "Include subfolders"',
        'folder',
      );
    }
    const dataset: Dataset = { items, warnings, name: datasetName(params, scan) };
    const uniqueKohya = [...new Set(scan.kohyaNames)];
    if (uniqueKohya.length === 1) dataset.trigger = uniqueKohya[0];
    ctx.log(
      'info',
      `loaded ${items.length} image(s), ${items.filter((i) => i.caption).length} with captions, ${warnings.length} skipped`,
    );
    return { dataset: datasetValue(dataset) };
  },
});

/** Lists the folder and the uploads, turning path-policy refusals into errors that name the parameter. */
async function listSources(params: LoadParams, paths: PathPolicy): Promise<ScanResult> {
  const captionExt = pathOrThrow(() => paths.extension(params.captionExtension || '.txt', 'captionExtension'));
  const result: ScanResult = { images: [], problems: [], kohyaNames: [] };
  if (!params.folder && (params.uploads ?? []).length === 0) {
    throw new NodeUserError(
      'no folder chosen and no images uploaded',
      'choose a folder of images or upload some',
      'folder',
    );
  }
  if (params.folder) {
    const root = pathOrThrow(() => paths.resolve(params.folder, 'read', 'folder'));
    const st = await stat(root).catch(() => undefined);
    if (!st?.isDirectory())
      throw new NodeUserError(`"${params.folder}" is not a folder`, 'choose a folder of images', 'folder');
    const own = ownFilesProblem(root);
    if (own) throw new NodeUserError(own, 'choose the folder your training images are in', 'folder');
    Object.assign(result, await scanFolder(root, { recursive: params.recursive, captionExt, paths }));
  }
  const uploads = (params.uploads ?? []).filter((u) => u.trim() !== '');
  const files = uploads.map((u) => pathOrThrow(() => paths.resolve(u, 'read', 'uploads')));
  const uploaded = await statFiles(files, captionExt, paths);
  result.images.push(...uploaded.images);
  result.problems.push(...uploaded.problems);
  return result;
}

/** Runs a path-policy call; its refusal becomes a NodeUserError naming the parameter, with a hint for its reason. */
function pathOrThrow(resolve: () => string): string {
  try {
    return resolve();
  } catch (err) {
    const { param, reason } = err as { param?: string; reason?: string };
    if (!param) throw err;
    const hint =
      reason === 'missing'
        ? 'check the path (relative paths start at the first allowed folder: the data folder unless --allow names others)'
        : reason === 'not-a-name'
          ? 'a caption extension looks like ".txt" or ".caption"'
          : 'use a path inside the allowed folders (`loraflow serve --allow <folder>`)';
    throw new NodeUserError(errorText(err), hint, param);
  }
}

/** Files above this size are read one at a time, not one per core (a folder of 1 GB TIFFs must not need 8 GB). */
const LARGE_FILE_BYTES = 32_000_000;
const oneLargeFileAtATime = createMutex();

/** Loads one image and its caption into the artifact store; a BadFileError is returned, not thrown. */
async function loadOne(
  img: ScannedImage,
  decode: DecodeOptions,
  repeats: number,
  ctx: NodeContext,
): Promise<DatasetItem | BadFileError> {
  const work = async () => {
    const caption = img.captionPath ? decodeCaption(await readFile(img.captionPath), basename(img.captionPath)) : '';
    const { png, width, height } = await decodeFileToPng(img.abs, img.size, decode);
    const name = `${basename(img.rel, extname(img.rel))}.png`;
    const image = await ctx.artifacts.put(png, 'image/png', name, { width, height });
    const hash = await hashFile(img.abs);
    const item: DatasetItem = {
      id: img.rel,
      source: img.abs,
      width,
      height,
      sourceWidth: width,
      sourceHeight: height,
      caption,
      captionSource: caption ? 'file' : 'none',
      hash,
      repeats: repeats > 0 ? repeats : img.repeats,
      image,
    };
    return item;
  };
  try {
    return await (img.size > LARGE_FILE_BYTES ? oneLargeFileAtATime(work) : work());
  } catch (err) {
    if (err instanceof BadFileError) return err;
    return new BadFileError('unreadable', `it cannot be read (${errorText(err)})`);
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function datasetName(params: LoadParams, scan: ScanResult): string {
  if (params.folder) return basename(params.folder.replace(/[\\/]+$/, '')) || 'dataset';
  return scan.images.length ? 'uploads' : 'dataset';
}
