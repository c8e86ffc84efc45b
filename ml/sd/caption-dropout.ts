/** kohya's caption dropout for a task fed cached text embeddings (the text-trained tasks drop ids themselves). */
import type { TrainTask } from '../train/types';

/** Replaces the context of a batch image by the empty caption's with probability p (kohya caption_dropout_rate). */
export function withCaptionDropout(task: TrainTask, empty: Float32Array, p: number): TrainTask {
  if (p <= 0) return task;
  return {
    ...task,
    nextBatch(rng, step) {
      const b = task.nextBatch(rng, step);
      const ctx = b.context as Float32Array;
      for (let i = 0; i * empty.length < ctx.length; i++)
        if (rng.int(1 << 20) < p * (1 << 20)) ctx.set(empty, i * empty.length);
      return b;
    },
  };
}
