/** Undo/redo as immer patch pairs. Edits with the same coalesce key (a drag, typing in one field) merge into one step. */
import type { Patch } from 'immer';

export interface HistoryEntry {
  patches: Patch[];
  inverse: Patch[];
  /** Edits with the same key merge while the entry is open (not sealed and recent). */
  key?: string;
  at: number;
  sealed: boolean;
}

export interface History {
  past: HistoryEntry[];
  future: HistoryEntry[];
}

/** Typing pauses longer than this start a new undo step. */
export const COALESCE_MS = 1000;
const MAX_STEPS = 500;

export const emptyHistory = (): History => ({ past: [], future: [] });

/** The history after one more edit; clears the redo stack. */
export function recordEdit(
  h: History,
  patches: Patch[],
  inverse: Patch[],
  key: string | undefined,
  now: number,
): History {
  const last = h.past[h.past.length - 1];
  if (key && last && !last.sealed && last.key === key && now - last.at < COALESCE_MS) {
    const merged: HistoryEntry = {
      ...last,
      patches: [...last.patches, ...patches],
      inverse: [...inverse, ...last.inverse],
      at: now,
    };
    return { past: [...h.past.slice(0, -1), merged], future: [] };
  }
  const entry: HistoryEntry = { patches, inverse, key, at: now, sealed: !key };
  return { past: [...h.past, entry].slice(-MAX_STEPS), future: [] };
}

/** Closes the open entry so that the next edit with the same key starts a new step (end of a drag). */
export function sealHistory(h: History): History {
  const last = h.past[h.past.length - 1];
  if (!last || last.sealed) return h;
  return { ...h, past: [...h.past.slice(0, -1), { ...last, sealed: true }] };
}
