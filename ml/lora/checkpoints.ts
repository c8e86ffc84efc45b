/**
 * A LoRA run's state folder: `step-000100.safetensors` training checkpoints (adapters + optimizer state, for exact
 * resume) and `validation.jsonl` (the validation loss of each checkpoint). Keeps the last K and the best at or below
 * the current step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CheckpointEntry {
  step: number;
  path: string;
  valLoss?: number;
}

const NAME = /^step-(\d+)\.safetensors$/;

/** The checkpoint file of a step. */
export const checkpointPath = (dir: string, step: number): string =>
  path.join(dir, `step-${String(step).padStart(6, '0')}.safetensors`);

/** Validation losses recorded in the folder, by step. */
export function readValidation(dir: string): Map<number, number> {
  const file = path.join(dir, 'validation.jsonl');
  const out = new Map<number, number>();
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as { step: number; valLoss: number };
      out.set(r.step, r.valLoss);
    } catch {
      // a line cut by a kill: ignore it
    }
  }
  return out;
}

/** Records a checkpoint's validation loss. */
export function recordValidation(dir: string, step: number, valLoss: number): void {
  fs.appendFileSync(path.join(dir, 'validation.jsonl'), `${JSON.stringify({ step, valLoss })}\n`);
}

/** The checkpoints on disk, oldest first, with their validation losses. */
export function listCheckpoints(dir: string): CheckpointEntry[] {
  if (!fs.existsSync(dir)) return [];
  const val = readValidation(dir);
  return fs
    .readdirSync(dir)
    .map((f) => NAME.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ step: Number(m[1]), path: path.join(dir, m[0]), valLoss: val.get(Number(m[1])) }))
    .sort((a, b) => a.step - b.step);
}

/** The checkpoint with the lowest validation loss. */
export function bestCheckpoint(entries: readonly CheckpointEntry[]): CheckpointEntry | undefined {
  let best: CheckpointEntry | undefined;
  for (const e of entries) if (e.valLoss !== undefined && (!best || e.valLoss < (best.valLoss ?? Infinity))) best = e;
  return best;
}

/**
 * Deletes all but the last `keepLast` checkpoints at or below `upTo` (the step just saved) and the best of those.
 * Runs that differ only in steps share the folder: a shorter rerun must not count (and so delete its own checkpoints
 * in favour of) a longer run's later ones, and those later ones stay for when the steps are raised again.
 */
export function pruneCheckpoints(dir: string, keepLast: number, upTo: number): void {
  const mine = listCheckpoints(dir).filter((e) => e.step <= upTo);
  const best = bestCheckpoint(mine);
  const keep = new Set(mine.slice(-Math.max(1, keepLast)).map((e) => e.step));
  if (best) keep.add(best.step);
  for (const e of mine) if (!keep.has(e.step)) fs.rmSync(e.path, { force: true });
}

/** The checkpoint to resume from: the newest one at or below `steps`. */
export function resumePoint(dir: string, steps: number): CheckpointEntry | undefined {
  return listCheckpoints(dir)
    .filter((e) => e.step <= steps)
    .at(-1);
}
