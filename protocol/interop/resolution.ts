/** Training resolutions as kohya and ai-toolkit write them, and how they map onto Resize. */
import type { ImportBuilder } from './import-builder';

/** A kohya resolution ("512", "512,768", 512, [512, 768]) as [width, height]. */
export function parseResolution(raw: unknown): [number, number] | undefined {
  const parts = Array.isArray(raw) ? raw : typeof raw === 'number' ? [raw] : String(raw ?? '').split(',');
  const nums = parts.map((p) => Number(String(p).trim()));
  if (nums.length < 1 || nums.length > 2 || nums.some((n) => !Number.isInteger(n) || n <= 0)) return undefined;
  return [nums[0]!, nums[1] ?? nums[0]!];
}

/** Maps a resolution setting onto Resize (one side: the longer, as kohya's area is at most resolution²). */
export function importResolution(b: ImportBuilder, setting: string, raw: unknown): void {
  const res = parseResolution(raw);
  if (!res) return b.ignore(setting, raw, 'not supported, ignored (expected "512" or "512,768")');
  const side = Math.max(...res);
  b.set(setting, 'resize', 'resolution', side, res[0] === res[1] ? undefined : `${res[0]}x${res[1]} as ${side}`);
}
