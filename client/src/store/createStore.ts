/** A minimal external store: state lives outside React, updates are immer recipes, components subscribe with selectors. */
import { produce, type Draft } from 'immer';
import { useCallback, useRef, useSyncExternalStore } from 'react';

export interface Store<S> {
  get(): S;
  /** Applies an immer recipe; listeners run only when the state object actually changed. */
  update(recipe: (draft: Draft<S>) => void): void;
  /** Replaces the whole state (used by undo/redo and tests). */
  replace(next: S): void;
  subscribe(listener: () => void): () => void;
}

/** Creates a store holding `initial`. */
export function createStore<S>(initial: S): Store<S> {
  let state = initial;
  const listeners = new Set<() => void>();
  const emit = (next: S): void => {
    if (next === state) return;
    state = next;
    for (const l of [...listeners]) l();
  };
  return {
    get: () => state,
    update: (recipe) => emit(produce(state, recipe)),
    replace: emit,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Reads a slice of a store; re-renders only when `isEqual` says the slice changed (Object.is by default). */
export function useStore<S, T>(
  store: Store<S>,
  selector: (s: S) => T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): T {
  const last = useRef<{ value: T } | null>(null);
  const getSnapshot = useCallback((): T => {
    const next = selector(store.get());
    if (last.current && isEqual(last.current.value, next)) return last.current.value;
    last.current = { value: next };
    return next;
  }, [store, selector, isEqual]);
  return useSyncExternalStore(store.subscribe, getSnapshot, getSnapshot);
}

/** Equality of two arrays by element identity: for selectors returning fresh arrays of stable items. */
export function shallowArrayEqual<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}
