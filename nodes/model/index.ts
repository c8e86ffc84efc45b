/**
 * The model nodes: the built-in emoji base model (LoadModel, Sample) and its pretraining workflow
 * (BuildEmojiCorpus -> TrainBaseModel -> SaveModel). The model itself lives in ml/dit/, its data in ml/corpus/.
 */
import type { NodeDefinition } from '../api';
import { loadModelNode } from './load-model';
import { sampleNode } from './sample';

/** The model node types, one file each. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const modelNodes: NodeDefinition<any>[] = [loadModelNode, sampleNode];
