/**
 * Coalesces a burst of items into one call per animation frame, at most every `minIntervalMs`. A run streams
 * progress far faster than anyone reads it (a chain of quick nodes sends a hundred messages a second); applying
 * each as its own store update re-rendered the canvas that often, and any repaint of a 200-node canvas costs the
 * browser a full re-layering (~5 ms here), so the pan of the same graph lost a third of its frames. Applying them
 * together, in a frame, at most ten times a second (tqdm's default refresh) leaves most frames of a pan untouched
 * and shows every state at most that much later. A hidden tab gets no animation frames, so a timer flushes too:
 * messages never pile up while the tab is in the background.
 */

/** How long a batch may wait for an animation frame that does not come (a background tab). */
const FALLBACK_MS = 250;

export interface FrameBatch<T> {
  push(item: T): void;
  /** Applies what is pending now (before something that must see every earlier item applied). */
  flush(): void;
  /** Drops what is pending and stops the timers. */
  cancel(): void;
}

/**
 * Calls `apply` with the items pushed since the last call, in an animation frame, at most every `minIntervalMs`
 * (read at each push when a function: the caller may space updates further while the user drags).
 */
export function batchPerFrame<T>(
  apply: (items: T[]) => void,
  minIntervalMs: number | (() => number) = 100,
): FrameBatch<T> {
  let pending: T[] = [];
  let frame: number | undefined;
  let wait: ReturnType<typeof setTimeout> | undefined;
  let fallback: ReturnType<typeof setTimeout> | undefined;
  let lastFlush = -Infinity;
  const stopTimers = (): void => {
    if (frame !== undefined) cancelAnimationFrame(frame);
    clearTimeout(wait);
    clearTimeout(fallback);
    frame = wait = fallback = undefined;
  };
  const flush = (): void => {
    stopTimers();
    lastFlush = performance.now();
    if (pending.length === 0) return;
    const items = pending;
    pending = [];
    apply(items);
  };
  const inFrame = (): void => {
    wait = undefined;
    frame = requestAnimationFrame(flush);
  };
  return {
    push(item) {
      pending.push(item);
      if (frame !== undefined || wait !== undefined) return;
      const interval = typeof minIntervalMs === 'function' ? minIntervalMs() : minIntervalMs;
      wait = setTimeout(inFrame, Math.max(0, lastFlush + interval - performance.now()));
      fallback = setTimeout(flush, interval + FALLBACK_MS);
    },
    flush,
    cancel() {
      stopTimers();
      pending = [];
    },
  };
}
