/**
 * The MODEL value of a Stable Diffusion checkpoint: JSON pointing at the file (or diffusers folder) with what
 * LoadModel found in it. `kind` tells the families apart ('sd15', 'sdxl'; 'loraflow.dit' is the built-in emoji
 * model), so nodes branch on it; nodes that only know the emoji model refuse an SD one through readModel with
 * sdNotYet's message, naming the family.
 */
import type { JsonValue } from '../../protocol/values';
import type { SdDtype, SdLayout } from '../../ml/sd/checkpoint';
import type { SdxlWidths } from '../../ml/sd/sdxl-widths';
import type { Sd15Widths } from '../../ml/sd/widths';
import { NodeUserError } from '../api';

/** What every SD family's MODEL value holds. */
type SdModelBase = {
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
  /** Native training resolution (Resize's "the base model's"): 512 for SD 1.5, 1024 for SDXL. */
  resolution: number;
};

export type Sd15ModelValue = SdModelBase & { kind: 'sd15'; family: 'sd15'; widths: Sd15Widths };
export type SdxlModelValue = SdModelBase & { kind: 'sdxl'; family: 'sdxl'; widths: SdxlWidths };
/** A MODEL of any Stable Diffusion family; `family` (= `kind`) tells them apart. */
export type SdModelValue = Sd15ModelValue | SdxlModelValue;
export type SdFamilyName = SdModelValue['family'];

/** How users name each family in messages. */
export const SD_FAMILY_LABEL: Record<SdFamilyName, string> = { sd15: 'SD 1.5', sdxl: 'SDXL' };

/** The family of a MODEL socket value, for nodes that branch on it; undefined when it is not a MODEL. */
export function modelFamily(value: JsonValue | undefined): 'emoji' | SdFamilyName | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (value.kind === 'sd15' || value.kind === 'sdxl') return value.kind;
  return value.kind === 'loraflow.dit' ? 'emoji' : undefined;
}

/** Whether a socket value is an SD 1.5 MODEL. */
export function isSd15Model(value: JsonValue | undefined): boolean {
  return modelFamily(value) === 'sd15';
}

/** Whether a socket value is an SDXL MODEL. */
export function isSdxlModel(value: JsonValue | undefined): boolean {
  return modelFamily(value) === 'sdxl';
}

/** Whether a socket value is a MODEL of any SD family. */
export function isSdModel(value: JsonValue | undefined): boolean {
  const f = modelFamily(value);
  return f === 'sd15' || f === 'sdxl';
}

/** The error a node that cannot use an SD family yet gives, naming the model, its family and what is missing. */
export function sdNotYet(value: JsonValue | undefined, input = 'model'): NodeUserError {
  const name = typeof value === 'object' && value && !Array.isArray(value) ? String(value.name ?? '') : '';
  const family = modelFamily(value);
  const label = family === 'sd15' || family === 'sdxl' ? SD_FAMILY_LABEL[family] : 'Stable Diffusion';
  return new NodeUserError(
    `the "${input}" input is the ${label} checkpoint "${name}": ${label} training and sampling need the ${label} ` +
      'graphs, which this node does not have yet; this node works with the built-in emoji model',
    `connect a LoadModel set to the built-in emoji model, or wait for ${label} support in this node`,
    input,
  );
}

/** The SD 1.5 name of sdNotYet, kept for the nodes that call it. */
export const sd15NotYet = sdNotYet;

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

/** Reads an SDXL MODEL value; throws a NodeUserError naming the input otherwise. */
export function readSdxlModel(value: JsonValue | undefined, input = 'model'): SdxlModelValue {
  if (!isSdxlModel(value))
    throw new NodeUserError(
      `the "${input}" input is not an SDXL MODEL`,
      'connect LoadModel set to an SDXL checkpoint',
      input,
    );
  return value as unknown as SdxlModelValue;
}

/** Reads a MODEL of any SD family; throws a NodeUserError naming the input otherwise. */
export function readSdModel(value: JsonValue | undefined, input = 'model'): SdModelValue {
  if (!isSdModel(value))
    throw new NodeUserError(
      `the "${input}" input is not a Stable Diffusion MODEL`,
      'connect LoadModel set to an SD 1.5 or SDXL checkpoint',
      input,
    );
  return value as unknown as SdModelValue;
}
