/** TrainLoRA's pivotal settings on SD 1.5/SDXL: what the worker gets, and the refusals that name the parameter. */
import type { NodeUserError } from '../../nodes/api';
import { sdPivotalJob } from '../../nodes/lora/sd-pivotal';

const on = {
  pivotal: true,
  triggerInit: 'disc',
  embeddingLr: 0.005,
  embeddingVectors: 3,
  learningRate: 1e-4,
  optimizer: 'adamw',
};
const refusal = (p: Partial<typeof on>, trigger = 'xyz_disc') => {
  try {
    sdPivotalJob({ ...on, ...p }, trigger, 'SD 1.5');
  } catch (e) {
    return e as NodeUserError;
  }
  throw new Error('accepted');
};

test('the job carries the lower-case word, the init text, the vectors and the rate over the learning rate', () => {
  expect(sdPivotalJob(on, 'XYZ_Disc', 'SD 1.5')).toEqual({ word: 'xyz_disc', init: 'disc', vectors: 3, lrScale: 50 });
  expect(sdPivotalJob({ ...on, embeddingLr: 0 }, 'xyz_disc', 'SD 1.5')?.lrScale).toBe(1);
  expect(sdPivotalJob({ ...on, pivotal: false }, '', 'SD 1.5')).toBeUndefined();
});

test('no trigger, a trigger of two words, Prodigy with its own rate and 0 vectors are refused by name', () => {
  expect(refusal({}, '')).toMatchObject({ param: 'pivotal', message: expect.stringMatching(/trigger/) });
  expect(refusal({}, 'two words')).toMatchObject({ param: 'trigger' });
  expect(refusal({ optimizer: 'prodigy' })).toMatchObject({
    param: 'embeddingLr',
    message: expect.stringMatching(/Prodigy/),
  });
  expect(refusal({ embeddingVectors: 0 })).toMatchObject({ param: 'embeddingVectors' });
});
