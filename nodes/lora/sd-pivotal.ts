/**
 * TrainLoRA's pivotal tuning on SD 1.5 and SDXL (the worker's side is ml/sd/trigger-embedding.ts): the job's
 * settings from the node's parameters, checked and refused by name, and the trained rows of a checkpoint as the
 * LoRA file bundles them (`bundle_emb.<word>.string_to_param.*` on SD 1.5, `.clip_l` + `.clip_g` on SDXL).
 */
import type { TriggerEmbedding } from '../../ml/lora/types';
import type { NamedParams } from '../../ml/train/types';
import { trainedEmbedding, type PivotalJob } from '../../ml/sd/trigger-embedding';
import { NodeUserError } from '../api';
import type { SdModelValue } from '../model/sd-model-value';
import { checkPivotal } from './pivotal-setup';
import type { TrainLoraParams } from './train-params';

type PivotalParams = Pick<
  TrainLoraParams,
  'pivotal' | 'triggerInit' | 'embeddingLr' | 'embeddingVectors' | 'learningRate' | 'optimizer'
>;

/** The job's pivotal tuning (undefined when it is off); throws naming the parameter it cannot use. */
export function sdPivotalJob(p: PivotalParams, trigger: string, label: string): PivotalJob | undefined {
  if (!p.pivotal) return undefined;
  checkPivotal(p, trigger);
  if (p.optimizer === 'prodigy' && p.embeddingLr > 0)
    throw new NodeUserError(
      `${label}: Prodigy sets its own step size, so the embedding's own learning rate cannot apply`,
      'set the embedding learning rate to 0, or choose AdamW',
      'embeddingLr',
    );
  const vectors = Math.round(p.embeddingVectors ?? 1);
  if (!(vectors >= 1 && vectors <= 32))
    throw new NodeUserError(
      `embedding vectors must be 1 to 32, got ${p.embeddingVectors}`,
      undefined,
      'embeddingVectors',
    );
  return {
    word: trigger.toLowerCase(),
    init: p.triggerInit ?? '',
    vectors,
    lrScale: p.embeddingLr > 0 ? p.embeddingLr / p.learningRate : 1,
  };
}

/** Each text encoder's width in context order (SD 1.5: CLIP-L; SDXL: CLIP-L, bigG). */
export function textWidths(model: SdModelValue): number[] {
  return model.family === 'sdxl' ? [model.widths.clipL.width, model.widths.clipG.width] : [model.widths.clip.width];
}

/** A checkpoint's trained trigger embedding (none without pivotal tuning). */
export function checkpointEmbeddings(
  pivotal: PivotalJob | undefined,
  model: SdModelValue,
  params: NamedParams,
): TriggerEmbedding[] {
  if (!pivotal) return [];
  return [trainedEmbedding({ word: pivotal.word, widths: textWidths(model), lrScale: pivotal.lrScale }, params)];
}
