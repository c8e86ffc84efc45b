/** How Sample turns its `loras` input, its strength rows and `<lora:name:w>` prompt tags into grid rows. */
import * as fs from 'node:fs';
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

/** Where `<lora:name:w>` looks for a LoRA that is not connected: `loras/<name>.safetensors` (name checked first). */
function loraTagPath(name: string, paths: PathPolicy): string {
  return `loras/${paths.name(name, 'prompts', 'LoRA name in <lora:…>')}.safetensors`;
}

/**
 * The fingerprint of the files that `<lora:name:w>` tags read: size, mtime and inode of each, so that replacing a
 * LoRA file reruns the sampling. Tags naming a connected LoRA read no file, but cost nothing extra here.
 */
export function loraTagFingerprint(prompts: readonly string[], paths: PathPolicy): string {
  const names = [...new Set(prompts.flatMap((p) => parseLoraTags(p).tags.map((t) => t.name)))].sort();
  const parts = names.map((name) => {
    try {
      const st = fs.statSync(paths.resolve(loraTagPath(name, paths), 'read', 'prompts'));
      return `${name}:${st.size}:${st.mtimeMs}:${st.ino}`;
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
  const tagUse = (t: { name: string; strength: number }): LoraUse => {
    const v = byName.get(t.name);
    if (v) return { file: loraFile(v, ctx), strength: t.strength, name: t.name };
    const relative = loraTagPath(t.name, ctx.paths);
    // The absolute path: `loras/` starts at the first allowed folder, which need not be the data folder.
    const where = (() => {
      try {
        return ctx.paths.resolve(relative, 'check', 'prompts');
      } catch {
        return relative;
      }
    })();
    const missing = new NodeUserError(
      `<lora:${t.name}> in a prompt: no connected LoRA is named "${t.name}" and ${where} does not exist`,
      `connect it through LoadLoRA (its picker lists ComfyUI's and A1111's LoRAs too), or save it as ${where}`,
      'prompts',
    );
    let file: string;
    try {
      file = ctx.paths.resolve(relative, 'read', 'prompts');
    } catch (e) {
      if ((e as { reason?: string }).reason === 'missing') throw missing;
      throw e;
    }
    if (!fs.existsSync(file)) throw missing;
    return { file, strength: t.strength, name: t.name };
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
