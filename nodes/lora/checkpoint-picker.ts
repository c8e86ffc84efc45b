/**
 * Which LoRA check will choose among a TrainLoRA's checkpoints: its own (the loraCheck parameter) or a LoRACheck node
 * wired to its checkpoints output. Known before training starts, so the loss diagnosis can defer to it from the first
 * warning on (two nodes each saying "pick checkpoint N" with different N leave the user guessing).
 */
import type { WorkflowFile } from '../../protocol/workflow';
import type { CheckpointPicker } from './diagnose';

/** The LoRA check that picks this node's checkpoint, or undefined when none will run. */
export function checkpointPickerOf(
  workflow: WorkflowFile | undefined,
  nodeId: string,
  ownCheck: boolean,
  validationImages: number,
): CheckpointPicker | undefined {
  if (ownCheck) return { by: "this node's LoRA check", validationImages };
  if (!workflow) return undefined;
  const checks = workflow.edges
    .filter((e) => e.from.node === nodeId && e.from.socket === 'checkpoints')
    .map((e) => workflow.nodes.find((n) => n.id === e.to.node))
    .filter((n) => n?.type === 'LoRACheck' && !n.mode);
  const check = checks[0];
  return check ? { by: `the "${check.title ?? check.id}" node`, validationImages } : undefined;
}
