/** How Sample turns its `loras` input, its strength rows and `<lora:name:w>` prompt tags into grid rows. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JsonValue } from '../../protocol/values';
import { NodeUserError, type NodeContext, type PathPolicy } from '../api';
import { parseLoraTags } from '../../protocol/lora-tags';
import type { LoraUse, Row } from './lora-sampling';
import { loraFile, readLoraList, type LoraValue } from './lora-value';
import { stackedStrength } from './strength';

/** Parses one strength row: "0.7" (every LoRA) or "0.7, 0.4" (one per LoRA, in input order). */
function parseRow(text: string, count: number): number[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (parts.length === 0 || parts.some((x) => !Number.isFinite(x))) {
    throw new NodeUserError(
      `strength row "${text}" is not a number or a comma-separated list of numbers`,
      'e.g. 0.7, or 0.7, 0.4 for two LoRAs',
      'loraStrengths',
    );
  }
  return Array.from({ length: count }, (_, i) => parts[Math.min(i, parts.length - 1)]!);
}

/** How deep a tag's search goes into the subfolders of a LoRA folder (as the pickers list them, model-folders.ts). */
const TAG_SEARCH_DEPTH = 3;
/** The most folders one tag's search reads (a LoRA folder holding a whole disk must not stall the run). */
const TAG_SEARCH_FOLDERS = 2000;

/**
 * The folders `<lora:name:w>` tags search, in order: `loras/` under the first allowed folder (absolute; it need
 * not be the data folder), then the LoRA folders of the model folders (loraflow's <data>/loras, then each
 * `--models` install's models/loras or models/Lora: NodeContext.loraFolders).
 */
export function loraTagFolders(paths: PathPolicy, loraFolders: readonly string[] = []): string[] {
  let first = 'loras';
  try {
    first = paths.resolve('loras', 'check', 'prompts');
  } catch {
    // no allowed folder takes it: the search names it as given
  }
  return [...new Set([first, ...loraFolders.map((f) => path.resolve(f))])];
}

/** `file` through the path policy (links followed, kept inside the allowed folders), or undefined when absent. */
function policyFile(file: string, paths: PathPolicy): string | undefined {
  if (!fs.existsSync(file) && !isLink(file)) return undefined;
  try {
    return paths.resolve(file, 'read', 'prompts');
  } catch (e) {
    if ((e as { reason?: string }).reason === 'missing') return undefined;
    throw e;
  }
}

const isLink = (file: string): boolean => fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() === true;

/**
 * The file a tag names: `<name>.safetensors` in one of `folders`, or in a subfolder of one (A1111 and ComfyUI's
 * tag loaders find a LoRA by its file name wherever it sits in the LoRA folder). The name is one path component
 * (the path policy's `name`), and the file found goes through the policy like any path a node reads.
 */
export function findTagLora(name: string, folders: readonly string[], paths: PathPolicy): string | undefined {
  const fileName = `${paths.name(name, 'prompts', 'LoRA name in <lora:…>')}.safetensors`;
  let budget = TAG_SEARCH_FOLDERS;
  const search = (dir: string, depth: number): string | undefined => {
    const direct = policyFile(path.join(dir, fileName), paths);
    if (direct || depth >= TAG_SEARCH_DEPTH || budget-- <= 0) return direct;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined; // not there (yet), or unreadable: nothing found in it
    }
    for (const e of entries.filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      const found = search(path.join(dir, e.name), depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  for (const folder of folders) {
    if (!path.isAbsolute(folder)) continue; // `loras` that the policy refused: nothing in it is read
    const found = search(folder, 0);
    if (found) return found;
  }
  return undefined;
}

/**
 * The fingerprint of the files that `<lora:name:w>` tags read: path, size, mtime and inode of each, so that
 * replacing a LoRA file (or adding one to a folder searched earlier) reruns the sampling. Tags naming a connected
 * LoRA read no file, but cost nothing extra here.
 */
export function loraTagFingerprint(
  prompts: readonly string[],
  paths: PathPolicy,
  loraFolders: readonly string[] = [],
): string {
  const names = [...new Set(prompts.flatMap((p) => parseLoraTags(p).tags.map((t) => t.name)))].sort();
  const folders = loraTagFolders(paths, loraFolders);
  const parts = names.map((name) => {
    try {
      const file = findTagLora(name, folders, paths);
      if (!file) return `${name}:missing`;
      const st = fs.statSync(file);
      return `${name}:${file}:${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch (e) {
      return `${name}:${(e as { reason?: string }).reason ?? 'unreadable'}`;
    }
  });
  return parts.join('|');
}

/** The rows and clean prompts, or undefined when no LoRA is involved (plain sampling). */
export function loraRows(
  lorasInput: JsonValue | undefined,
  strengthRows: readonly string[],
  prompts: readonly string[],
  ctx: NodeContext,
): { rows: Row[]; prompts: string[] } | undefined {
  const loras = readLoraList(lorasInput, 'loras');
  const parsed = prompts.map(parseLoraTags);
  // Validation refuses these before a run; a node run without it (a test, a script) says the same.
  const problem = parsed.find((p) => p.problem !== null)?.problem;
  if (problem) throw new NodeUserError(`a prompt's <lora:…> tag does not read: ${problem}`, 'fix the tag', 'prompts');
  if (loras.length === 0 && parsed.every((p) => p.tags.length === 0)) return undefined;
  const byName = new Map<string, LoraValue>();
  for (const l of loras) byName.set(l.name, l).set(l.artifact.name.replace(/\.safetensors$/, ''), l);
  const folders = loraTagFolders(ctx.paths, ctx.loraFolders);
  const tagUse = (t: { name: string; strength: number; tag: string }): LoraUse => {
    const v = byName.get(t.name);
    if (v) return { file: loraFile(v, ctx), strength: t.strength, name: t.name };
    const file = findTagLora(t.name, folders, ctx.paths);
    if (file) return { file, strength: t.strength, name: t.name };
    const fileName = `${t.name}.safetensors`;
    throw new NodeUserError(
      `${t.tag} in the prompts of Sample "${ctx.nodeId}": no connected LoRA is named "${t.name}", and there is no ` +
        `${fileName} in ${folders.join(', ')} (subfolders searched too)`,
      `save it as ${path.join(folders[0]!, fileName)} or into another of those folders (serve --models adds an ` +
        "install's LoRA folder), or connect it through LoadLoRA (its picker lists ComfyUI's and A1111's LoRAs too)",
      'prompts',
    );
  };
  const rowStrengths = strengthRows.length
    ? strengthRows.map((r) => parseRow(r, loras.length))
    : [loras.map((l, i) => l.strength ?? stackedStrength(i, loras.length))];
  const rows: Row[] = rowStrengths.map((strengths) => {
    const uses = loras.map((l, i) => ({ file: loraFile(l, ctx), strength: strengths[i] ?? 0.7, name: l.name }));
    const label = uses.map((u) => `${u.name}@${u.strength}`).join(' + ');
    return { label, cells: parsed.map((p) => [...uses, ...p.tags.map(tagUse)].filter((u) => u.strength !== 0)) };
  });
  return { rows, prompts: parsed.map((p) => p.text) };
}
