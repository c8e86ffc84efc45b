/** The LORA socket value: a kohya safetensors file in the artifact store plus what it was trained on. */
import type { ArtifactRef, JsonValue } from '../../protocol/values';
import { isArtifactRef } from '../../protocol/values';
import { NodeUserError, type NodeContext } from '../api';

export type LoraValue = {
  kind: 'loraflow.lora';
  /** Set for a LoRA of an SD 1.5 or SDXL checkpoint (kohya module keys); absent for the built-in emoji model. */
  family?: 'sd15' | 'sdxl';
  name: string;
  /** The adapters in kohya format (fp32, with the training metadata). */
  artifact: ArtifactRef;
  /** The base model it was trained on (sha256 of its file), when known. */
  base?: { name: string; sha256: string };
  rank: number;
  alpha: number;
  modules: number;
  /** Training step of this checkpoint, and its validation loss. */
  step?: number;
  valLoss?: number;
  /** Strength to apply it at when a node does not say otherwise (LoadLoRA sets it; default 0.7). */
  strength?: number;
  /** The trigger word(s) the captions used. */
  trigger?: string;
};

/** Checks that an input is a LORA value. */
export function readLoraValue(value: JsonValue | undefined, input = 'lora'): LoraValue {
  const v = value as Partial<LoraValue> | null | undefined;
  if (!v || typeof v !== 'object')
    throw new NodeUserError(
      `the "${input}" input is not connected`,
      'connect a LORA output (TrainLoRA or LoadLoRA) to it',
      input,
    );
  if (v.kind !== 'loraflow.lora' || !isArtifactRef(v.artifact))
    throw new NodeUserError(`the "${input}" input is not a LORA value`, 'connect a LORA output to it', input);
  return v as LoraValue;
}

/** A list of LORA values (a list input, or a checkpoints output). */
export function readLoraList(value: JsonValue | undefined, input: string): LoraValue[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value.flatMap((v) => (Array.isArray(v) ? v : [v])) : [value];
  return items.map((v) => readLoraValue(v, input));
}

/** The file of a LORA value on this machine. */
export function loraFile(v: LoraValue, ctx: NodeContext): string {
  return ctx.artifacts.pathOf(v.artifact);
}

export function loraJson(v: LoraValue | LoraValue[]): JsonValue {
  return JSON.parse(JSON.stringify(v)) as JsonValue;
}
