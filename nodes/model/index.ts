/**
 * The model nodes: the built-in emoji base model (LoadModel, Sample) and its pretraining workflow
 * (BuildEmojiCorpus -> TrainBaseModel -> SaveModel). The model itself lives in ml/dit/, its data in ml/corpus/.
 * LoadModel also opens Stable Diffusion 1.5 checkpoints (ml/sd/); their MODEL value is sd-model-value.ts.
 */
import type { NodeDefinition } from '../api';
import { buildEmojiCorpusNode } from './build-emoji-corpus';
import { loadModelNode } from './load-model';
import { sampleNode } from './sample';
import { saveModelNode } from './save-model';
import { trainBaseModelNode } from './train-base-model';

/** The model node types, one file each. */
export const modelNodes: NodeDefinition[] = [
  loadModelNode,
  sampleNode,
  buildEmojiCorpusNode,
  trainBaseModelNode,
  saveModelNode,
];
