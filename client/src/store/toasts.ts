/** Short messages at the bottom of the screen (refused wires, saved files, errors). */
import { createStore } from './createStore';

export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

export const toastsStore = createStore<Toast[]>([]);
let next = 0;

/** Shows a message for a few seconds. */
export function toast(text: string, kind: Toast['kind'] = 'info', ms = 4000): void {
  const id = ++next;
  toastsStore.update((list) => void list.push({ id, text, kind }));
  setTimeout(() => toastsStore.update((list) => list.filter((t) => t.id !== id)), ms);
}
