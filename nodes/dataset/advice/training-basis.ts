/**
 * Which model the report's steps, rank and learning rate are for. The guide's tables are written for Stable
 * Diffusion 1.5 and SDXL; the built-in emoji model (32x32) trains in a few hundred steps at a far higher learning
 * rate, so its figures come from the TrainLoRA the dataset feeds. The report node has no MODEL input: the family is
 * read from the workflow (the LoadModel wired to that TrainLoRA).
 */
import type { WorkflowFile, WorkflowNode } from '../../../protocol/workflow';

export type AdviceFamily = 'emoji' | 'sd15' | 'unknown';

export interface TrainingBasis {
  family: AdviceFamily;
  /** The TrainLoRA fed the same dataset, with its figures (steps 0: its automatic ~100 epochs). */
  train?: { nodeId: string; steps: number; batch: number; rank: number; learningRate: number };
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** The family of the model wired to a training node's `model` input, when a LoadModel says it. */
function familyOf(wf: WorkflowFile, train: WorkflowNode): AdviceFamily {
  const edge = wf.edges.find((e) => e.to.node === train.id && e.to.socket === 'model');
  const model = edge && wf.nodes.find((n) => n.id === edge.from.node);
  if (model?.type !== 'LoadModel') return 'unknown';
  const family = model.params.family ?? 'emoji';
  return family === 'emoji' || family === 'sd15' ? family : 'unknown';
}

/** The basis of the advice of report node `reportId`: the TrainLoRA reading the same dataset, and its model family. */
export function trainingBasisOf(wf: WorkflowFile | undefined, reportId: string): TrainingBasis {
  if (!wf) return { family: 'unknown' };
  const source = wf.edges.find((e) => e.to.node === reportId && e.to.socket === 'dataset')?.from;
  if (!source) return { family: 'unknown' };
  const fed = wf.edges
    .filter((e) => e.from.node === source.node && e.from.socket === source.socket && e.to.socket === 'dataset')
    .map((e) => wf.nodes.find((n) => n.id === e.to.node))
    .find((n): n is WorkflowNode => n?.type === 'TrainLoRA' && !n.mode);
  if (!fed) return { family: 'unknown' };
  const p = fed.params;
  return {
    family: familyOf(wf, fed),
    train: {
      nodeId: fed.id,
      steps: num(p.steps, 0),
      batch: Math.max(1, num(p.batch, 1)),
      rank: num(p.rank, 16),
      learningRate: num(p.learningRate, 0.0001),
    },
  };
}
