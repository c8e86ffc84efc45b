/** TrainLoRA's pivotal tuning settings: the trigger word's own embedding, its start and its learning rate. */
import { isOneWord } from '../../ml/dit/tokenizer';
import type { DiTModel } from '../../ml/dit/weights';
import { initialTriggerEmbedding } from '../../ml/lora/pivotal';
import type { LoraTaskOptions } from '../../ml/lora/task';
import { NodeUserError } from '../api';
import type { TrainLoraParams } from './train-params';

/** Refuses, naming the parameter, what no family's pivotal tuning can use: no trigger, one of several words, a rate < 0. */
export function checkPivotal(p: Pick<TrainLoraParams, 'embeddingLr'>, trigger: string): void {
  if (!trigger)
    throw new NodeUserError(
      'pivotal tuning trains the trigger word, and there is none',
      'set a trigger word in Caption or in the Trigger word parameter',
      'pivotal',
    );
  if (!isOneWord(trigger))
    throw new NodeUserError(
      `the trigger "${trigger}" is not one word, so it cannot have an embedding of its own`,
      'use one word of letters, digits, _ or - (e.g. xyz_style)',
      'trigger',
    );
  if (!(p.embeddingLr >= 0))
    throw new NodeUserError(
      `the embedding learning rate must be 0 or more, got ${p.embeddingLr}`,
      undefined,
      'embeddingLr',
    );
}

/** The task's embedding option (undefined without pivotal tuning); throws naming the parameter it cannot use. */
export function pivotalEmbedding(
  p: Pick<TrainLoraParams, 'pivotal' | 'triggerInit' | 'embeddingLr' | 'embeddingVectors' | 'learningRate' | 'targets'>,
  trigger: string,
  model: DiTModel,
): LoraTaskOptions['embedding'] {
  if (!p.pivotal && p.targets === 'trigger embedding only')
    throw new NodeUserError(
      '"trigger embedding only" trains nothing without pivotal tuning',
      'turn on pivotal tuning, or choose another layer set',
      'targets',
    );
  if (!p.pivotal) return undefined;
  checkPivotal(p, trigger);
  let init: Float32Array;
  try {
    // More vectors than the trigger has bytes would never be read.
    const vectors = Math.max(1, Math.min(p.embeddingVectors ?? 1, Buffer.byteLength(trigger.trim(), 'utf8')));
    init = initialTriggerEmbedding(model, trigger, p.triggerInit ?? '', vectors);
  } catch (e) {
    throw new NodeUserError((e as Error).message, undefined, 'pivotal');
  }
  return {
    word: trigger.toLowerCase(),
    init,
    lrScale: p.embeddingLr > 0 ? p.embeddingLr / p.learningRate : 1,
  };
}

/**
 * Refuses, naming the parameter, what an SD trainer cannot do with a layer set: "trigger embedding only" is
 * textual inversion, which trains nothing without pivotal tuning (its settings are sd-pivotal.ts's).
 */
export function refuseSdTargets(p: Pick<TrainLoraParams, 'pivotal' | 'targets'>, family: string): void {
  if (!p.pivotal && p.targets === 'trigger embedding only')
    throw new NodeUserError(
      `"trigger embedding only" trains nothing without pivotal tuning (${family})`,
      'turn on pivotal tuning, or choose another layer set',
      'targets',
    );
}
