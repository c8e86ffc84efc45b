/**
 * The LoRA nodes: TrainLoRA (presets, warnings, checkpoints, validation, diagnosis, resume; training backends in
 * backend.ts), SaveCheckpoint (kohya files with metadata and the workflow), LoadLoRA (kohya and PEFT), LoRAGrid, LoRACheck
 * (does the LoRA answer to its trigger: effect, bleeding, subject survival per checkpoint; check-*.ts).
 * Sample (nodes/model) takes LoRAs through sample-loras.ts. The adapter math lives in ml/lora/.
 */
import type { NodeDefinition } from '../api';
import { loadLoraNode } from './load-lora';
import { loraCheckNode } from './lora-check';
import { loraGridNode } from './lora-grid';
import { saveCheckpointNode } from './save-checkpoint';
import { trainLoraNode } from './train-lora';

/** The LoRA node types, one file each. */
export const loraNodes: NodeDefinition[] = [
  trainLoraNode,
  saveCheckpointNode,
  loadLoraNode,
  loraGridNode,
  loraCheckNode,
];
