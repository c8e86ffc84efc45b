/**
 * TrainLoRA's in-training samples come out blank (all black: NaN after the LoRA diverged) and used to say nothing,
 * while Sample and the LoRA check warn (QA S6-F17). The monitor is fed sample grids as the training worker sends
 * them: tiles of `size` x `size` RGB, one after the other.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMonitor } from '../../nodes/lora/train-monitor';
import { tempContext } from '../support/node-context';

const SIZE = 32;
const tile = (fill: (i: number) => number) => Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, i) => fill(i));
const grid = (...tiles: Uint8Array[]) => Buffer.concat(tiles);
const drawn = tile((i) => (i * 37) % 251); // varied pixels, as a real sample has

it('samples at a step where the LoRA diverged warn once, naming the step and the blank samples', async () => {
  const ctx = tempContext('train-blank');
  try {
    const monitor = createMonitor(ctx, 40, 2, mkdtempSync(join(tmpdir(), 'blank-state-')), true);
    monitor.onEvent({ type: 'started', step: 0 });
    monitor.onEvent({ type: 'samples', step: 10, images: grid(drawn, drawn), imageSize: SIZE, seconds: 1 });
    expect(ctx.warnings.filter((w) => /blank/.test(w))).toEqual([]);

    monitor.onEvent({
      type: 'samples',
      step: 20,
      images: grid(
        drawn,
        tile(() => 0),
      ),
      imageSize: SIZE,
      seconds: 1,
    });
    monitor.onEvent({
      type: 'samples',
      step: 30,
      images: grid(
        tile(() => 0),
        tile(() => 0),
      ),
      imageSize: SIZE,
      seconds: 1,
    });
    await monitor.drained();

    const warnings = ctx.warnings.filter((w) => /blank/.test(w));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^samples at step 20: 1 of 2 images are blank, one colour from edge to edge: sample 2 \(all black\)/,
    );
    expect(warnings[0]).toMatch(/earlier checkpoint|lower learning rate/);
    expect(ctx.samples.map((s) => s.step)).toEqual([10, 20, 30]); // still shown
  } finally {
    ctx.cleanup();
  }
});
