/**
 * The MODEL value of a Stable Diffusion checkpoint: JSON pointing at the file (or diffusers folder) with what
 * LoadModel found in it. `kind` tells the families apart ('loraflow.dit' is the built-in emoji model), so nodes
 * branch on it; nodes that only know the emoji model refuse an SD one through readModel with sd15NotYet's message.
 */
import type { JsonValue } from '../../protocol/values';
import type { SdDtype, SdLayout } from '../../ml/sd/checkpoint';
import type { Sd15Widths } from '../../ml/sd/widths';
import { NodeUserError } from '../api';

export type Sd15ModelValue = {
  kind: 'sd15';
  family: 'sd15';
  name: string;
  /** The checkpoint file or diffusers folder (absolute, through the path policy). */
  path: string;
  layout: SdLayout;
  /** The weight files, so cache keys and fingerprints follow their bytes. */
  files: string[];
  /** Full sha256 (A1111's new hash; ss_new_sd_model_hash), its AutoV2 prefix, and A1111's legacy hash. */
  sha256: string;
  autoV2: string;
  legacyHash: string;
  dtype: SdDtype;
  widths: Sd15Widths;
  /** Native training resolution (Resize's "the base model's"). */
  resolution: number;
};

/** The family of a MODEL socket value, for nodes that branch on it; undefined when it is not a MODEL. */
export function modelFamily(value: JsonValue | undefined): 'emoji' | 'sd15' | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (value.kind === 'sd15') return 'sd15';
  return value.kind === 'loraflow.dit' ? 'emoji' : undefined;
}

/** Whether a socket value is an SD 1.5 MODEL. */
export function isSd15Model(value: JsonValue | undefined): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value.kind === 'sd15';
}

/** The error a node that cannot use SD 1.5 yet gives, naming the model and what is missing. */
export function sd15NotYet(value: JsonValue | undefined, input = 'model'): NodeUserError {
  const name = typeof value === 'object' && value && !Array.isArray(value) ? String(value.name ?? '') : '';
  return new NodeUserError(
    `the "${input}" input is the SD 1.5 checkpoint "${name}": SD 1.5 training and sampling need the SD 1.5 graphs, ` +
      'which this version does not have yet; this node works with the built-in emoji model',
    'connect a LoadModel set to the built-in emoji model, or wait for SD 1.5 support in this node',
    input,
  );
}

/** Reads an SD 1.5 MODEL value; throws a NodeUserError naming the input otherwise. */
export function readSd15Model(value: JsonValue | undefined, input = 'model'): Sd15ModelValue {
  if (!isSd15Model(value))
    throw new NodeUserError(
      `the "${input}" input is not an SD 1.5 MODEL`,
      'connect LoadModel set to an SD 1.5 checkpoint',
      input,
    );
  return value as unknown as Sd15ModelValue;
}
