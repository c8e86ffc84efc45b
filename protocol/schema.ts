/**
 * Node schemas: the serializable description of a node type that the server sends to the editor
 * (like ComfyUI's /object_info). The editor never imports node code, only these.
 */

/** Socket types are open strings; these are the ones the built-in nodes use. `*` accepts anything. */
export type SocketType =
  'DATASET' | 'MODEL' | 'LORA' | 'IMAGES' | 'REPORT' | 'FILE' | 'FILES' | 'STRING' | 'NUMBER' | '*' | (string & {});

export interface SocketSpec {
  name: string;
  type: SocketType;
  /** An optional input may be left unconnected; execute then gets `undefined`. */
  optional?: boolean;
  /** A list input accepts any number of edges; execute gets an array in edge order. */
  list?: boolean;
  tooltip?: string;
}

export type ParamKind =
  | 'number' // float
  | 'int'
  | 'seed' // int >= 0, the editor offers "randomize"
  | 'string' // one line
  | 'text' // multi-line
  | 'boolean'
  | 'enum' // one of `options`
  | 'path' // a folder or file, resolved against the allowed roots
  | 'list'; // a list of strings (e.g. prompts)

export interface ParamSpec {
  name: string;
  kind: ParamKind;
  default: ParamValue;
  label?: string;
  tooltip?: string;
  /** Advice from the training guide shown next to the widget (e.g. the learning-rate table). */
  hint?: string;
  min?: number;
  /** `min` itself is refused: for values where 0 means nothing (a learning rate of 0 trains nothing). */
  exclusiveMin?: boolean;
  max?: number;
  /** false: `min`..`max` is a safety limit, not a range to slide through (a learning rate of 1e-4 under a cap of 1). */
  slider?: false;
  step?: number;
  options?: string[];
  /**
   * For `path`: whether it names a folder, a file or either (LoadModel's checkpoint: a file or a diffusers folder),
   * and whether the node reads or writes it.
   */
  pathKind?: PathKind;
  access?: 'read' | 'write';
  /**
   * For a `path` folder read for its training images (LoadImages' folder): loraflow's own data folder, and its
   * artifacts/ and work/ folders, are refused there (nodes/dataset/imaging/own-files.ts), at validation and when the
   * node runs.
   */
  imageFolder?: boolean;
  /** For `path`: offer the files (or, for a folder, the folders) of these model folders (GET /api/models). */
  models?: 'checkpoints' | 'loras';
  /**
   * For `list`: each item is a number or comma-separated numbers (Sample's LoRA strength rows "0.7" / "0.7, 0.4"),
   * checked by validation so a typo is refused before training, not when Sample runs after it.
   */
  numberRows?: boolean;
  /**
   * How a parameter that is not a `path` still becomes part of one. The engine checks every such parameter (and
   * every `path`) through the path policy before the node runs, and a test tries escapes on each of them.
   */
  pathPart?: PathPart;
  /** A parameter that may be left empty (string/path kinds). */
  optional?: boolean;
  /**
   * Shown only when another parameter has one of these values, e.g. {param:'mode', equals:['pad']}. With `input`,
   * the parameter of the node wired to that input (through reroutes): TrainLoRA's SD-only settings show for
   * {input:'model', param:'family', equals:['sd15','sdxl']}. The editor hides by it; validation, which does not
   * follow wires, still checks such a parameter (its default is always valid).
   */
  visibleWhen?: { param: string; equals: ParamValue[]; input?: string };
  /**
   * For `enum`: which options apply depends on a parameter of the node wired to `input` (through reroutes), keyed
   * by that parameter's value: Sample's samplers by LoadModel's family ({input:'model', param:'family', options:
   * {emoji:['euler','heun'], sd15:[…]}}). Validation refuses an option the source does not support, naming those it
   * does; the editor offers only those. A value not listed, or a source that cannot tell, allows every option.
   */
  optionsWhen?: { input: string; param: string; options: Record<string, string[]> };
}

/**
 * name: one file or folder name joined into a path; extension: a file extension (`.txt`); name-template: a name
 * with `{placeholders}`; path-list: a list of paths; lora-tags: prompts whose `<lora:name:w>` tags name files.
 */
export type PathKind = 'folder' | 'file' | 'file-or-folder';

export type PathPart = 'name' | 'extension' | 'name-template' | 'path-list' | 'lora-tags';

/** The parameters of a node type that are, or become part of, a path. */
export function pathLikeParams(schema: NodeSchema): ParamSpec[] {
  return schema.params.filter((p) => p.kind === 'path' || p.pathPart !== undefined);
}

export type ParamValue = number | string | boolean | string[] | null;

export interface NodeSchema {
  type: string;
  /** Bumped when the node's behaviour changes so that cached results of the old version are not reused. */
  version: number;
  category: string;
  title: string;
  description: string;
  inputs: SocketSpec[];
  outputs: SocketSpec[];
  params: ParamSpec[];
  /** `gpu` nodes get a device slot of their own: two never share one device. */
  resource: 'cpu' | 'gpu';
  /** False for nodes whose result must never be reused (e.g. random without a seed). */
  cacheable: boolean;
  /** True for nodes whose result the user looks at (reports, samples, saves): they always count as wanted. */
  output?: boolean;
  /** Named parameter presets (e.g. TrainLoRA's style/character/likeness), applied by the editor and CLI. */
  presets?: Record<string, Record<string, ParamValue>>;
  /** Groups of parameters of which at least one must be set, with what to tell the user (protocol/one-of-params.ts). */
  requireOneOf?: { params: string[]; message: string }[];
}

/** Whether a value produced on a socket of type `from` may flow into a socket of type `to`. */
export function socketsCompatible(from: SocketType, to: SocketType): boolean {
  return from === to || from === '*' || to === '*';
}
