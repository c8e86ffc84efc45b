/**
 * Per-caption edits made in the editor: they override every other caption source and live in the workflow's
 * parameters, so they survive reruns. Stored as text, one `file: caption` line per image (what a person
 * can also type), or as a JSON object {"file": "caption"}. `file` is the item id, its file name, or its stem.
 */
import { basename, extname } from 'node:path';

export type CaptionEdits = Map<string, string>;

/** Parses the edits parameter; throws an Error with the bad line's number when it cannot be read. */
export function parseEdits(text: string): CaptionEdits {
  const edits: CaptionEdits = new Map();
  const trimmed = text.trim();
  if (trimmed === '') return edits;
  if (trimmed.startsWith('{')) {
    const obj = JSON.parse(trimmed) as unknown;
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
      throw new Error('edits: expected a JSON object of file: caption');
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v !== 'string') throw new Error(`edits: the caption for "${k}" is not a string`);
      edits.set(k.trim(), v.trim());
    }
    return edits;
  }
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const at = line.indexOf(':');
    if (at <= 0) throw new Error(`edits line ${i + 1}: expected "file: caption", got "${line.trim()}"`);
    edits.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return edits;
}

/** Serialises edits in the line form, sorted by file, for the editor to store back into the parameter. */
export function formatEdits(edits: CaptionEdits): string {
  return [...edits]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v.replace(/\s*\n\s*/g, ' ')}`)
    .join('\n');
}

/** The edit for an item id, matched by id, file name or file stem; marks the key used. */
export function editFor(edits: CaptionEdits, id: string, used: Set<string>): string | undefined {
  const name = basename(id);
  for (const key of [id, name, basename(name, extname(name))]) {
    const v = edits.get(key);
    if (v !== undefined) {
      used.add(key);
      return v;
    }
  }
  return undefined;
}
