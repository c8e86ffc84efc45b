/**
 * Collects an import: every setting of the source config either becomes a node parameter (checked against the
 * installed node schema, so a value the node would refuse is reported instead of producing a broken workflow)
 * or is reported by name as not supported. Nothing is dropped silently.
 */
import type { NodeSchema, ParamSpec, ParamValue } from '../schema';
import { describeValue, validateParamValue } from '../validate';
import { familySpec, modelPathSpec } from './model-params';

/**
 * What another tool's model path needs before LoadModel can open it: sd-scripts and ai-toolkit download Hub ids and
 * load pickles, loraflow does neither (the run would only say "does not exist" or refuse the pickle).
 */
function modelPathAdvice(path: string): string | undefined {
  if (/\.(ckpt|pt|pth|bin)$/i.test(path))
    return (
      `"${path}" is a PyTorch pickle, which loraflow does not load (unpickling can run code): convert it once to ` +
      ".safetensors (README, 'Your own Stable Diffusion 1.5 checkpoint') and set LoadModel's checkpoint to that file"
    );
  if (/^[\w.-]+\/[\w.-]+$/.test(path) && !/\.safetensors$/i.test(path))
    return (
      `if "${path}" is a Hugging Face Hub id (owner/name): loraflow reads local files only and downloads nothing; ` +
      "download the model's .safetensors file (or diffusers folder) and set LoadModel's checkpoint to it"
    );
  return undefined;
}
import { ROLE_TYPES, emptySetup, type Params, type Role, type TrainingSetup } from './roles';
import type { ConfigFormat, ImportSummary, ModelFamily } from './types';

/** A value as the summary shows it. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return '(not set)';
  return JSON.stringify(value) ?? String(value);
}

export class ImportBuilder {
  readonly setup: TrainingSetup = emptySetup();
  readonly summary: ImportSummary;
  name = 'Imported training';
  description: string | undefined;
  private readonly schemas: ReadonlyMap<string, NodeSchema>;

  constructor(format: ConfigFormat, file: string, schemas: readonly NodeSchema[]) {
    this.summary = { format, file, mapped: [], ignored: [], notes: [] };
    this.schemas = new Map(schemas.map((s) => [s.type, s]));
  }

  /** Maps `setting` to `param` of the role's node; reported as ignored when the node lacks it or refuses the value. */
  set(setting: string, role: Exclude<Role, 'sample'>, param: string, value: ParamValue, note?: string): boolean {
    return this.put(setting, role, this.setup[role], param, value, note);
  }

  /** Maps `setting` to a parameter of the sample node number `index` (created on demand). */
  setSample(setting: string, index: number, param: string, value: ParamValue, note?: string): boolean {
    while (this.setup.samples.length <= index) this.setup.samples.push({});
    return this.put(setting, 'sample', this.setup.samples[index]!, param, value, note);
  }

  /** Sets a parameter that follows from how the source tool works rather than from one of its settings. */
  assume(role: Exclude<Role, 'sample'>, param: string, value: ParamValue, why: string): void {
    const spec = this.schemas.get(ROLE_TYPES[role])?.params.find((p) => p.name === param);
    if (!spec || validateParamValue(spec, value)) return;
    this.setup[role][param] = value;
    this.note(`${ROLE_TYPES[role]}.${param} = ${shown(value)}: ${why}`);
  }

  /** Sets a Sample parameter that follows from the source tool's behaviour rather than from one of its settings. */
  sampleDefault(index: number, param: string, value: ParamValue): void {
    const spec = this.schemas.get(ROLE_TYPES.sample)?.params.find((p) => p.name === param);
    const target = this.setup.samples[index];
    if (spec && target && !validateParamValue(spec, value)) target[param] = value;
  }

  /** Reports a setting loraflow does not support. */
  ignore(setting: string, value: unknown, reason = 'not supported, ignored'): void {
    this.summary.ignored.push({ setting, value: shown(value), reason });
  }

  note(text: string): void {
    this.summary.notes.push(text);
  }

  family(family: ModelFamily, from: string): void {
    this.summary.family = family;
    this.note(`model family: ${family} (from ${from})`);
  }

  /**
   * Maps the model path: to LoadModel's family choice when it has one (the imported family, else SD 1.5 when
   * `assumeSd15` says the tool's default is SD 1.x) and to the path parameter of that family. A family LoadModel
   * does not offer gets no path (the summary names it).
   */
  setModel(setting: string, path: string, assumeSd15: boolean): void {
    const schema = this.schemas.get(ROLE_TYPES.model);
    const famSpec = familySpec(schema);
    let option: string | undefined;
    if (famSpec) {
      const wanted = this.summary.family ?? (assumeSd15 ? 'sd15' : undefined);
      if (wanted && famSpec.options?.includes(wanted)) {
        option = wanted;
        const note = this.summary.family ? undefined : 'assumed: the config does not say, and SD 1.x is the default';
        this.set(`${setting} (model family)`, 'model', famSpec.name, wanted, note);
      } else if (wanted) {
        const has = (famSpec.options ?? []).join(', ');
        this.ignore('model family', wanted, `not supported, ignored (LoadModel's ${famSpec.name} offers ${has})`);
        // Another family's path field (the emoji model's `file`) would have the run open this model as that family.
        const why = `model path not set: LoadModel does not load ${wanted} yet`;
        this.ignore(setting, path, `not supported, ignored (${why})`);
        this.note(`${why} (${setting} = ${shown(path)})`);
        return;
      }
    }
    const pathSpec = modelPathSpec(schema, option);
    const advice = modelPathAdvice(path);
    if (pathSpec && advice) this.note(`${setting}: ${advice}`);
    if (pathSpec) this.set(setting, 'model', pathSpec.name, path);
    else this.ignore(setting, path, 'not supported, ignored (LoadModel has no path parameter)');
  }

  /** Whether the role's node has this input in this installation (TrainLoRA's `regularization`, say). */
  hasInput(role: Role, input: string): boolean {
    return this.schemas.get(ROLE_TYPES[role])?.inputs.some((i) => i.name === input) ?? false;
  }

  /** The options of an enum parameter of the role's node (empty when it has none). */
  options(role: Role, param: string): readonly string[] {
    const spec = this.schemas.get(ROLE_TYPES[role])?.params.find((p) => p.name === param);
    return (spec && this.narrowed(spec)?.options) ?? spec?.options ?? [];
  }

  /**
   * The options a parameter has for the model imported, when they depend on it (ParamSpec.optionsWhen on
   * LoadModel's family: Sample's samplers for SD are not the emoji model's), with that family's value.
   */
  private narrowed(spec: ParamSpec): { options: readonly string[]; on: string } | undefined {
    const when = spec.optionsWhen;
    if (!when || when.input !== 'model') return undefined;
    const on = this.setup.model[when.param];
    if (typeof on !== 'string') return undefined;
    const options = when.options[on];
    return options ? { options, on } : undefined;
  }

  /** Whether the role's node has this parameter in this installation. */
  has(role: Role, param: string): boolean {
    return this.schemas.get(ROLE_TYPES[role])?.params.some((p) => p.name === param) ?? false;
  }

  private put(setting: string, role: Role, target: Params, param: string, value: ParamValue, note?: string): boolean {
    const type = ROLE_TYPES[role];
    const spec = this.schemas.get(type)?.params.find((p) => p.name === param);
    if (!spec) {
      this.ignore(setting, value, `not supported, ignored (${type} has no "${param}" parameter)`);
      return false;
    }
    const problem = validateParamValue(spec, value);
    if (problem) {
      const why = `${type}.${param} expects ${problem.expected}, got ${describeValue(value)}`;
      this.ignore(setting, value, `not supported, ignored (${why})`);
      return false;
    }
    const narrowed = this.narrowed(spec);
    if (narrowed && typeof value === 'string' && !narrowed.options.includes(value)) {
      const why = `${type}.${param} for the ${narrowed.on} model offers ${narrowed.options.join(', ')}`;
      this.ignore(setting, value, `not supported, ignored (${why})`);
      return false;
    }
    target[param] = value;
    const mapped = { setting, node: type, param, value };
    this.summary.mapped.push(note ? { ...mapped, note } : mapped);
    return true;
  }
}
