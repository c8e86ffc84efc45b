/**
 * LoadModel's parameters as other tools' configs need them: which path parameter holds the model (it may depend on
 * a `family` choice, each family with its own path field) and which family the node is set to. Read from the
 * schema, so that the mapping follows LoadModel as it is installed rather than a copy of it.
 */
import type { NodeSchema, ParamSpec, ParamValue } from '../schema';
import type { ModelFamily } from './types';

/** LoadModel's family choice, when it has one. */
export function familySpec(schema: NodeSchema | undefined): ParamSpec | undefined {
  return schema?.params.find((p) => p.name === 'family' && p.kind === 'enum');
}

/** The path parameter that applies when the family choice is `family` (the schema's default when undefined). */
export function modelPathSpec(schema: NodeSchema | undefined, family?: ParamValue): ParamSpec | undefined {
  const chosen = family ?? familySpec(schema)?.default;
  const paths = schema?.params.filter((p) => p.kind === 'path') ?? [];
  return paths.find((p) => !p.visibleWhen || p.visibleWhen.equals.includes(chosen ?? null)) ?? paths[0];
}

/** The model path a LoadModel's parameters (defaults filled in) name. */
export function modelPathOf(schema: NodeSchema | undefined, params: Record<string, ParamValue>): string {
  const spec = modelPathSpec(schema, params.family);
  const value = spec ? params[spec.name] : undefined;
  return typeof value === 'string' ? value : '';
}

const FAMILIES: readonly ModelFamily[] = ['sd15', 'sd2', 'sdxl', 'flux'];

/** The family a LoadModel is set to, when it is one the other tools train. */
export function modelFamilyOf(params: Record<string, ParamValue>): ModelFamily | undefined {
  return FAMILIES.find((f) => f === params.family);
}
