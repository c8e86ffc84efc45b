import { defineNode } from '../api';
import type { JsonValue } from '../../protocol/values';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Waits, reporting progress, and passes its input through: for trying out progress bars and cancellation. */
export const delayNode = defineNode<{ ms: number; steps: number }>({
  schema: {
    type: 'Delay',
    version: 1,
    category: 'primitives',
    title: 'Delay',
    description: 'Waits for a while with a progress bar, then passes its input through. Stops at once when cancelled.',
    inputs: [{ name: 'value', type: '*', optional: true }],
    outputs: [{ name: 'value', type: '*' }],
    params: [
      { name: 'ms', kind: 'int', default: 1000, min: 0, max: 3_600_000, tooltip: 'How long to wait, in milliseconds.' },
      {
        name: 'steps',
        kind: 'int',
        default: 20,
        min: 1,
        max: 10_000,
        tooltip: 'How many progress reports along the way.',
      },
    ],
    resource: 'cpu',
    cacheable: true,
  },
  async execute(inputs, params, ctx) {
    ctx.progress(0, params.steps);
    for (let step = 1; step <= params.steps; step++) {
      await sleep(params.ms / params.steps, ctx.signal);
      ctx.progress(step, params.steps); // throws once the run is cancelled
    }
    return { value: (inputs.value ?? null) as JsonValue };
  },
});
