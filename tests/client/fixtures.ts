/** Small schemas and workflows shared by the editor's unit tests. */
import type { NodeSchema } from '../../protocol/schema';
import type { WorkflowFile } from '../../protocol/workflow';

export const loadImages: NodeSchema = {
  type: 'LoadImages',
  version: 1,
  category: 'dataset',
  title: 'Load Images',
  description: 'Loads a folder.',
  inputs: [],
  outputs: [{ name: 'dataset', type: 'DATASET' }],
  params: [
    { name: 'folder', kind: 'path', default: '', pathKind: 'folder' },
    { name: 'uploads', kind: 'list', default: [] },
  ],
  resource: 'cpu',
  cacheable: true,
};

export const train: NodeSchema = {
  type: 'TrainLoRA',
  version: 1,
  category: 'train',
  title: 'Train LoRA',
  description: 'Trains.',
  inputs: [{ name: 'dataset', type: 'DATASET' }],
  outputs: [
    { name: 'lora', type: 'LORA' },
    { name: 'report', type: 'REPORT' },
  ],
  params: [
    { name: 'steps', kind: 'int', default: 100, min: 1, max: 10000, tooltip: 'Training steps.' },
    { name: 'lr', kind: 'number', default: 0.0001, min: 0, max: 1, hint: 'SD1.5: 1e-4' },
    { name: 'seed', kind: 'seed', default: 1 },
    { name: 'optimizer', kind: 'enum', default: 'adamw', options: ['adamw', 'sgd'] },
    { name: 'prompts', kind: 'list', default: ['a cat'] },
    { name: 'notes', kind: 'text', default: '' },
    { name: 'ema', kind: 'boolean', default: false },
  ],
  presets: { style: { steps: 1500, lr: 0.0001 }, likeness: { steps: 2000, lr: 0.00005 } },
  resource: 'gpu',
  cacheable: true,
};

export const sample: NodeSchema = {
  type: 'Sample',
  version: 1,
  category: 'model',
  title: 'Sample',
  description: 'Samples.',
  inputs: [
    { name: 'lora', type: 'LORA' },
    { name: 'images', type: 'IMAGES', optional: true },
  ],
  outputs: [{ name: 'images', type: 'IMAGES' }],
  params: [],
  resource: 'gpu',
  cacheable: true,
  output: true,
};

export const schemas = [loadImages, train, sample];
export const schemaMap = new Map(schemas.map((s) => [s.type, s]));

/**
 *   load --dataset--> train --lora--> sample
 *   mystery (unknown type, with an unknown field)
 */
export function quickStart(): WorkflowFile {
  return {
    format: 'loraflow.workflow',
    formatVersion: 1,
    appVersion: '0.1.0',
    name: 'Quick start',
    futureTopLevel: { keep: true },
    nodes: [
      {
        id: 'load',
        type: 'LoadImages',
        params: { folder: 'examples/cats', uploads: [] },
        position: { x: 0, y: 0 },
        group: 'g1',
      },
      {
        id: 'train',
        type: 'TrainLoRA',
        params: { steps: 100, lr: 0.0001, seed: 1, optimizer: 'adamw', prompts: ['a cat'], notes: '', ema: false },
        position: { x: 300, y: 0 },
        title: 'Train',
      },
      { id: 'sample', type: 'Sample', params: {}, position: { x: 600, y: 0 } },
      { id: 'mystery', type: 'FromTheFuture', params: { x: 1 }, position: { x: 0, y: 300 }, futureField: [1, 2, 3] },
    ],
    edges: [
      { id: 'e1', from: { node: 'load', socket: 'dataset' }, to: { node: 'train', socket: 'dataset' } },
      { id: 'e2', from: { node: 'train', socket: 'lora' }, to: { node: 'sample', socket: 'lora' } },
    ],
    groups: [{ id: 'g1', title: 'Data', bounds: { x: -20, y: -40, width: 280, height: 240 } }],
    notes: [{ id: 'n1', text: 'hello', position: { x: 0, y: 500 } }],
  };
}
