/** The MODEL and IMAGES socket values of the model nodes: plain JSON pointing at files, never bytes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArtifactRef, JsonValue } from '../../protocol/values';
import { isArtifactRef } from '../../protocol/values';
import { NodeUserError, type NodeContext } from '../api';
import { isSdModel, sdNotYet, type SdModelValue } from './sd-model-value';

/** A base model on a socket: its weights file (an artifact, or a path on disk for the shipped weights). */
export type ModelValue = {
  kind: 'loraflow.dit';
  name: string;
  /** The weights: an artifact produced by a node... */
  artifact?: ArtifactRef;
  /** ...or an absolute path (LoadModel). */
  path?: string;
  /** sha256 of the file, so that cache keys change when the weights do. */
  sha256: string;
};

/** Generated images: each one an artifact with the prompt that made it, plus the grid of them all. */
export type ImagesValue = {
  kind: 'images';
  items: { image: ArtifactRef; caption: string; seed: number }[];
  grid: ArtifactRef;
};

/** The shipped base model (committed once trained; see ml/dit/MODEL_CARD.md). */
export const SHIPPED_WEIGHTS = path.resolve(__dirname, '..', '..', 'ml', 'dit', 'weights', 'emoji-base.safetensors');

/** Checks that an input is a MODEL value of the emoji model; throws a NodeUserError naming the input otherwise. */
export function readModel(value: JsonValue | undefined, input = 'model'): ModelValue {
  const v = value as Partial<ModelValue> | null | undefined;
  if (!v || typeof v !== 'object') {
    throw new NodeUserError(
      `the "${input}" input is not connected`,
      'connect a MODEL output (e.g. LoadModel) to it',
      input,
    );
  }
  if (isSdModel(value)) throw sdNotYet(value, input);
  if (v.kind !== 'loraflow.dit' || (!isArtifactRef(v.artifact) && typeof v.path !== 'string')) {
    throw new NodeUserError(`the "${input}" input is not a MODEL value`, 'connect a MODEL output to it', input);
  }
  return v as ModelValue;
}

/** The weights file of a MODEL value on this machine. */
export function modelFile(model: ModelValue, ctx: NodeContext): string {
  const file = model.artifact ? ctx.artifacts.pathOf(model.artifact) : (model.path ?? '');
  if (!fs.existsSync(file))
    throw new NodeUserError(`the model file ${file} does not exist any more`, 'run the node that made it again');
  return file;
}

/** A value as a socket output. */
export function toJson(v: ModelValue | ImagesValue | SdModelValue): JsonValue {
  return JSON.parse(JSON.stringify(v)) as JsonValue;
}
