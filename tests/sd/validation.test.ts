/** The SD 1.5 validation loss: fixed noise and timesteps, so only the LoRA moves it; released sessions rebuild. */
import '../ml/autodiff/ort-realm';
import { CounterRng } from '../../ml/train/rng';
import { createUnetLoraTask } from '../../ml/sd/train-step';
import { syntheticSdCheckpoint } from '../../ml/sd/tiny';
import { Sd15Validation } from '../../ml/sd/validation';
import { TINY_SD15_WIDTHS } from '../../ml/sd/widths';

const ckpt = syntheticSdCheckpoint(TINY_SD15_WIDTHS, 4);
const wave = (n: number, f: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f));
const task = createUnetLoraTask(ckpt, {
  rank: 2,
  alpha: 2,
  batch: 1,
  prediction: 'epsilon',
  latents: [wave(4 * 64, 0.3)],
  contexts: [wave(77 * 64, 0.05)],
  latentShape: [4, 8, 8],
  contextShape: [77, 64],
});

test('the same LoRA gives the same validation loss, with a kept or a released session; another LoRA another', async () => {
  const params = task.initParams(new CounterRng(1));
  const kept = new Sd15Validation(task, 1, true);
  const released = new Sd15Validation(task, 1, false);
  const a = await kept.compute(params);
  expect(Number.isFinite(a)).toBe(true);
  expect(await kept.compute(params)).toBe(a);
  expect(await released.compute(params)).toBe(a);
  expect(await released.compute(params)).toBe(a); // rebuilt after the release
  const up = Object.keys(params).find((k) => k.endsWith('.lora_up'))!;
  const changed = { ...params, [up]: { ...params[up]!, data: params[up]!.data.map(() => 0.5) } };
  expect(await kept.compute(changed)).not.toBe(a);
  await kept.release();
  await released.release();
}, 120_000);
