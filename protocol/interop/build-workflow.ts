/** Lays out an imported TrainingSetup as a workflow: the quick start's graph, parameters by name. */
import { layOutColumns } from '../node-box';
import type { NodeSchema } from '../schema';
import type { WorkflowEdge, WorkflowFile, WorkflowNode } from '../workflow';
import { emptyWorkflow } from '../workflow-io';
import { ROLE_TYPES, type Params, type Role, type TrainingSetup } from './roles';
import type { ImportSummary } from './types';

/** Node ids of an imported workflow, by role (samples are sample, sample2, ...). */
export const ROLE_IDS: Record<Exclude<Role, 'sample'>, string> = {
  model: 'model',
  images: 'images',
  reg: 'reg',
  caption: 'caption',
  resize: 'resize',
  train: 'train',
  save: 'save',
};

const POSITIONS: Record<Exclude<Role, 'sample'>, { x: number; y: number }> = {
  model: { x: 0, y: 0 },
  images: { x: 0, y: 200 },
  reg: { x: 640, y: 520 },
  caption: { x: 320, y: 200 },
  resize: { x: 640, y: 200 },
  train: { x: 960, y: 0 },
  save: { x: 1640, y: 0 },
};

const WIRES: [string, string][] = [
  ['images.dataset', 'caption.dataset'],
  ['caption.dataset', 'resize.dataset'],
  ['model.model', 'resize.model'],
  ['resize.dataset', 'train.dataset'],
  ['model.model', 'train.model'],
  ['train.lora', 'save.lora'],
];

function edge(i: number, from: string, to: string): WorkflowEdge {
  const [fromNode = '', fromSocket = ''] = from.split('.');
  const [toNode = '', toSocket = ''] = to.split('.');
  return { id: `e${i + 1}`, from: { node: fromNode, socket: fromSocket }, to: { node: toNode, socket: toSocket } };
}

/** The text of the note placed on the canvas: what came from where, and what was left out. */
export function summaryNote(summary: ImportSummary): string {
  const lines = [`Imported from ${summary.file}: ${summary.mapped.length} settings mapped.`];
  if (summary.ignored.length > 0)
    lines.push(`Not supported, ignored: ${summary.ignored.map((i) => `${i.setting} = ${i.value}`).join('; ')}.`);
  for (const n of summary.notes) lines.push(n.endsWith('.') ? n : `${n}.`);
  return lines.join('\n');
}

/**
 * The workflow of an import. `importedFrom` (kept by load/save as an unknown field) tells export the source family.
 * The nodes are stacked by their estimated heights from `schemas`, so that no node covers another.
 */
export function buildWorkflow(
  setup: TrainingSetup,
  name: string,
  summary: ImportSummary,
  schemas: readonly NodeSchema[],
  description?: string,
): WorkflowFile {
  const wf = emptyWorkflow(name);
  if (description) wf.description = description;
  const node = (role: Exclude<Role, 'sample'>, params: Params): WorkflowNode => ({
    id: ROLE_IDS[role],
    type: ROLE_TYPES[role],
    params,
    position: POSITIONS[role],
  });
  const roles = (Object.keys(ROLE_IDS) as Exclude<Role, 'sample'>[]).filter(
    (role) => role !== 'reg' || Object.keys(setup.reg).length > 0,
  );
  wf.nodes = roles.map((role) => node(role, setup[role]));
  wf.edges = WIRES.map(([from, to], i) => edge(i, from, to));
  if (roles.includes('reg')) wf.edges.push(edge(wf.edges.length, 'reg.dataset', 'train.regularization'));
  setup.samples.forEach((params, i) => {
    const id = i === 0 ? 'sample' : `sample${i + 1}`;
    wf.nodes.push({ id, type: ROLE_TYPES.sample, params, position: { x: 1300, y: 200 + i * 360 } });
    wf.edges.push(
      edge(wf.edges.length, 'model.model', `${id}.model`),
      edge(wf.edges.length + 1, 'train.lora', `${id}.loras`),
    );
  });
  wf.notes = [{ id: 'import-summary', text: summaryNote(summary), position: { x: 0, y: 760 } }];
  wf.importedFrom = {
    format: summary.format,
    file: summary.file,
    ...(summary.family ? { family: summary.family } : {}),
  };
  layOutColumns(wf, schemas);
  return wf;
}
