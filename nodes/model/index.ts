/**
 * The model nodes: the built-in emoji base model (LoadModel, Sample) and its pretraining workflow
 * (BuildEmojiCorpus -> TrainBaseModel -> SaveModel). The model itself lives in ml/dit/, its data in ml/corpus/.
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
