import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { defineNode, NodeUserError } from '../api';

interface ListFilesParams {
  folder: string;
  extensions: string;
  recursive: boolean;
  [key: string]: string | boolean;
}

interface Listing {
  files: string[];
  digest: string;
}

function extensionFilter(extensions: string): (name: string) => boolean {
  const wanted = extensions
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase());
  return (name) => wanted.length === 0 || wanted.some((e) => name.toLowerCase().endsWith(e));
}

/** The matching files of a folder (sorted) and a digest of their names, sizes and modification times. */
async function listFolder(root: string, params: ListFilesParams): Promise<Listing> {
  const matches = extensionFilter(params.extensions);
  const files: string[] = [];
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (params.recursive) await walk(path);
      } else if (entry.isFile() && matches(entry.name)) {
        const info = await stat(path);
        files.push(path);
        hash.update(`${relative(root, path)}\0${info.size}\0${info.mtimeMs}\n`);
      }
    }
  };
  await walk(root);
  return { files, digest: hash.digest('hex') };
}

/** Lists the files of a folder; editing, adding or removing a file there invalidates its cache. */
export const listFilesNode = defineNode<ListFilesParams>({
  schema: {
    type: 'ListFiles',
    version: 1,
    category: 'primitives',
    title: 'List files',
    description: 'The files of a folder (optionally only some extensions, optionally with subfolders), sorted by name.',
    inputs: [],
    outputs: [
      { name: 'files', type: 'FILES' },
      { name: 'count', type: 'NUMBER' },
    ],
    params: [
      {
        name: 'folder',
        kind: 'path',
        default: '',
        pathKind: 'folder',
        access: 'read',
        tooltip: 'Relative paths start in the data folder.',
      },
      {
        name: 'extensions',
        kind: 'string',
        default: '',
        optional: true,
        tooltip: 'e.g. "png jpg webp"; empty: every file.',
      },
      { name: 'recursive', kind: 'boolean', default: false },
    ],
    resource: 'cpu',
    cacheable: true,
  },
  async fingerprint(params, ctx) {
    return (await listFolder(ctx.paths.resolve(params.folder, 'read', 'folder'), params)).digest;
  },
  async execute(_inputs, params, ctx) {
    const folder = ctx.paths.resolve(params.folder, 'read', 'folder');
    if (!(await stat(folder)).isDirectory())
      throw new NodeUserError(`"${params.folder}" is a file, not a folder`, undefined, 'folder');
    const { files } = await listFolder(folder, params);
    if (files.length === 0) ctx.warn(`no matching files in ${folder}`);
    return { files, count: files.length };
  },
});
