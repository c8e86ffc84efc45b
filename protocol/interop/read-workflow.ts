/**
 * Reads the training out of a workflow for export: the first TrainLoRA, the LoadModel on its model input, the
 * dataset chain on its dataset input (LoadImages, Caption, Resize, and a SaveDataset hanging off it), and the
 * Sample and SaveCheckpoint nodes fed by its LoRA. Parameters come with the node types' defaults filled in.
 */
import type { NodeSchema } from '../schema';
import type { WorkflowFile, WorkflowNode } from '../workflow';
import { ROLE_TYPES, emptySetup, type Params, type TrainingSetup } from './roles';
import { modelFamilyOf, modelPathOf } from './model-params';
import type { ModelFamily } from './types';

export interface WorkflowTraining {
  setup: TrainingSetup;
  trainId: string;
  /** The SaveDataset node that writes this training's images in kohya layout, if there is one. */
  saveDataset?: Params;
  family?: ModelFamily;
  /** The model path LoadModel names (its path field for its family). */
  modelPath: string;
  /** Whether LoadModel is set to loraflow's own emoji model, which the other tools cannot train. */
  builtinModel: boolean;
  warnings: string[];
}

export class ExportError extends Error {
  override name = 'ExportError';
}

function withDefaults(node: WorkflowNode | undefined, schemas: ReadonlyMap<string, NodeSchema>, type: string): Params {
  const out: Params = {};
  for (const p of schemas.get(type)?.params ?? []) out[p.name] = p.default;
  return { ...out, ...(node?.params ?? {}) };
}

const FAMILIES = new Set<string>(['sd15', 'sd2', 'sdxl', 'flux']);

/** The training of `wf` (its first TrainLoRA), ready to be written in another tool's format. */
export function readTraining(wf: WorkflowFile, schemas: readonly NodeSchema[]): WorkflowTraining {
  const map = new Map(schemas.map((s) => [s.type, s]));
  const byId = new Map(wf.nodes.map((n) => [n.id, n]));
  const trains = wf.nodes.filter((n) => n.type === ROLE_TYPES.train);
  const train = trains[0];
  if (!train) throw new ExportError(`the workflow "${wf.name}" has no TrainLoRA node to export`);
  const warnings: string[] = [];
  if (trains.length > 1) warnings.push(`only TrainLoRA "${train.id}" is exported (the workflow has ${trains.length})`);
  const source = (id: string, socket: string): WorkflowNode | undefined => {
    const e = wf.edges.find((x) => x.to.node === id && x.to.socket === socket);
    return e ? byId.get(e.from.node) : undefined;
  };
  const setup = emptySetup();
  setup.train = withDefaults(train, map, ROLE_TYPES.train);
  const model = source(train.id, 'model');
  if (model && model.type !== ROLE_TYPES.model)
    warnings.push(`the model comes from "${model.id}" (${model.type}), not a LoadModel: no model path exported`);
  setup.model = withDefaults(model?.type === ROLE_TYPES.model ? model : undefined, map, ROLE_TYPES.model);

  const chain: WorkflowNode[] = [];
  for (let n = source(train.id, 'dataset'); n && chain.length < 50; n = source(n.id, 'dataset')) chain.push(n);
  const find = (type: string) => chain.find((n) => n.type === type);
  for (const n of chain)
    if (![ROLE_TYPES.images, ROLE_TYPES.caption, ROLE_TYPES.resize, 'SaveDataset'].includes(n.type as 'LoadImages'))
      warnings.push(
        `node "${n.id}" (${n.type}) on the dataset's way to TrainLoRA has no equivalent and is not exported`,
      );
  if (!find(ROLE_TYPES.images)) warnings.push('no LoadImages feeds TrainLoRA: no image folder exported');
  setup.images = withDefaults(find(ROLE_TYPES.images), map, ROLE_TYPES.images);
  setup.caption = withDefaults(find(ROLE_TYPES.caption), map, ROLE_TYPES.caption);
  setup.resize = withDefaults(find(ROLE_TYPES.resize), map, ROLE_TYPES.resize);
  const reg = source(train.id, 'regularization');
  if (reg && reg.type !== ROLE_TYPES.reg)
    warnings.push(`the regularisation images come from "${reg.id}" (${reg.type}), not a LoadImages: not exported`);
  if (reg?.type === ROLE_TYPES.reg) setup.reg = withDefaults(reg, map, ROLE_TYPES.reg);
  const chainIds = new Set(chain.map((n) => n.id));
  const saveDataset =
    find('SaveDataset') ??
    wf.nodes.find((n) => n.type === 'SaveDataset' && chainIds.has(source(n.id, 'dataset')?.id ?? ''));

  const fed = (type: string) =>
    wf.edges
      .filter((e) => e.from.node === train.id && (e.from.socket === 'lora' || e.from.socket === 'best'))
      .map((e) => byId.get(e.to.node))
      .filter((n, i, all): n is WorkflowNode => n?.type === type && all.indexOf(n) === i);
  setup.samples = fed(ROLE_TYPES.sample).map((n) => withDefaults(n, map, ROLE_TYPES.sample));
  setup.save = withDefaults(fed(ROLE_TYPES.save)[0], map, ROLE_TYPES.save);

  const imported = wf.importedFrom as { family?: unknown } | undefined;
  const recorded =
    typeof imported?.family === 'string' && FAMILIES.has(imported.family)
      ? (imported.family as ModelFamily)
      : undefined;
  const family = modelFamilyOf(setup.model) ?? recorded;
  const modelPath = modelPathOf(map.get(ROLE_TYPES.model), setup.model);
  const builtinModel = modelPath === '' || setup.model.family === 'emoji';
  return {
    setup,
    trainId: train.id,
    ...(saveDataset ? { saveDataset: withDefaults(saveDataset, map, 'SaveDataset') } : {}),
    ...(family ? { family } : {}),
    modelPath,
    builtinModel,
    warnings,
  };
}
