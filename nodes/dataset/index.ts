/**
 * Dataset nodes: a user's image folder as it really is (mixed formats, broken files, missing captions) turned
 * into a clean, captioned, sized DATASET, and a report of what is wrong with it before training starts.
 * One file per node type; helpers live in imaging/ (pixels), captions/ (text), tagger/ (WD14 ONNX tagger)
 * and advice/ (the training guide's tables). The DATASET and REPORT value types are in types.ts.
 */
import type { NodeDefinition } from '../api';
import { caption } from './caption';
import { loadImages } from './load-images';
import { resize } from './resize';
import { datasetReport } from './dataset-report';
import { saveDataset } from './save-dataset';

export const datasetNodes: NodeDefinition[] = [loadImages, caption, resize, datasetReport, saveDataset];
