/** GraphCore: the recording part of the builder (values, nodes, names, scopes, constants, CSE). */
import { InferCtx } from './infer';
import { OPS } from './ops-table';
import { Tensor, type GraphNode, type GraphRef, type TensorOrigin, type ValueInfo } from './tensor';
import { fmtShape, isTypedAttr, numel, type Attrs, type DType, type Shape, type TensorData } from './types';

export interface OpOptions {
  /** Operator domain; defaults to the table's domain or '' (the standard ONNX domain). */
  domain?: string;
  /** Node name stem; made unique. */
  name?: string;
  /** How many outputs to create (defaults to all that inference reports). */
  outputs?: number;
  /** Output types for ops missing from the table. */
  outputInfos?: readonly ValueInfo[];
}

/** Shared, root-level bookkeeping for a graph and its subgraphs (names are global across subgraphs in ONNX). */
interface RootState {
  names: Set<string>;
  nextId: number;
  scope: string[];
  cse: boolean;
  constCache: Map<string, Tensor>;
}

const CONST_CACHE_MAX = 4096;

/** Typed array for a dtype filled from JS numbers. */
export function typedArrayFor(dtype: DType, values: ArrayLike<number>): TensorData {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v))));
    case 'int32':
      return Int32Array.from(values);
    case 'int8':
      return Int8Array.from(values);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(values);
    case 'float16':
      throw new Error('float16 constants from numbers are not supported; pass a Uint16Array of half bits');
  }
}

/** The dtype of a typed array (Uint8Array and Uint16Array are read as uint8 and float16). */
export function dtypeOfData(data: TensorData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint16Array) return 'float16';
  return 'uint8';
}

export class GraphCore implements GraphRef {
  readonly nodes: GraphNode[] = [];
  readonly inputs: Tensor[] = [];
  readonly outputs: Tensor[] = [];
  /** Initializers and constants (kept on the root graph so every subgraph can reference them). */
  readonly initializers = new Map<Tensor, TensorData>();
  /**
   * Initializers whose data is read only when the graph is serialized (lazyInitializer), so that a model's frozen
   * weights are never all in JS memory at once: serialization streams them to the session one at a time.
   */
  readonly lazyInitializers = new Map<Tensor, () => TensorData>();
  readonly opset: number;
  protected readonly state: RootState;
  private readonly cseTable = new Map<string, GraphNode>();

  constructor(
    readonly graphName: string,
    opset: number,
    readonly parent: GraphCore | undefined,
  ) {
    this.opset = opset;
    this.state = parent ? parent.state : { names: new Set(), nextId: 1, scope: [], cse: true, constCache: new Map() };
  }

  /** The outermost graph (holds the initializers). */
  get root(): GraphCore {
    return this.parent ? this.parent.root : this;
  }

  /** Declares a graph input. */
  input(name: string, dtype: DType, shape: Shape): Tensor {
    const t = this.newTensor(this.claimExact(name, 'input'), dtype, shape, 'input');
    this.inputs.push(t);
    return t;
  }

  /** A named frozen weight stored in the model (large ones go to in-memory external data). */
  initializer(name: string, data: TensorData, shape: Shape, dtype: DType = dtypeOfData(data)): Tensor {
    if (numel(shape) !== data.length)
      throw new Error(`initializer '${name}': ${data.length} values do not fill shape ${fmtShape(shape)}`);
    const root = this.root;
    const t = root.newTensor(root.claimExact(name, 'initializer'), dtype, shape, 'initializer');
    root.initializers.set(t, data);
    return t;
  }

  /**
   * A named frozen weight whose data `load` returns when the graph is serialized (called once per serialization;
   * the data is not kept). The shape and dtype are fixed now; serialization checks the loaded data against them.
   */
  lazyInitializer(name: string, shape: Shape, dtype: DType, load: () => TensorData): Tensor {
    const root = this.root;
    const t = root.newTensor(root.claimExact(name, 'initializer'), dtype, shape, 'initializer');
    root.lazyInitializers.set(t, load);
    return t;
  }

  /** A constant tensor (deduplicated by content when small). Numbers are converted to `dtype` (default float32). */
  constant(data: TensorData | readonly number[], shape?: Shape, dtype?: DType): Tensor {
    const dt = dtype ?? (ArrayBuffer.isView(data) ? dtypeOfData(data as TensorData) : 'float32');
    const arr = ArrayBuffer.isView(data) ? (data as TensorData) : typedArrayFor(dt, data as readonly number[]);
    const shp = shape ?? [arr.length];
    if (numel(shp) !== arr.length) throw new Error(`constant: ${arr.length} values do not fill shape ${fmtShape(shp)}`);
    const root = this.root;
    const key =
      arr.length <= CONST_CACHE_MAX
        ? `${dt}|${shp.join(',')}|${Array.from(arr as ArrayLike<number | bigint>).join(',')}`
        : undefined;
    const hit = key ? this.state.constCache.get(key) : undefined;
    if (hit) return hit;
    const t = root.newTensor(root.claim(`const_${this.state.nextId}`), dt, shp, 'constant', undefined, arr);
    root.initializers.set(t, arr);
    if (key) this.state.constCache.set(key, t);
    return t;
  }

  /** A scalar constant (shape []). */
  scalar(v: number, dtype: DType = 'float32'): Tensor {
    return this.constant([v], [], dtype);
  }

  /** A 1-D int64 constant (shapes, axes, starts...). */
  ints(values: readonly number[]): Tensor {
    return this.constant(values, [values.length], 'int64');
  }

  /** Adds a node of any op; shapes are inferred from the op table (or taken from `opts.outputInfos`). */
  op(type: string, inputs: readonly (Tensor | undefined)[], attrs: Attrs = {}, opts: OpOptions = {}): Tensor[] {
    const spec = OPS[type];
    const domain = opts.domain ?? spec?.domain ?? '';
    const stem = opts.name ?? type;
    const scope = this.state.scope.join('/');
    const nodeName = this.claim(`${scope ? scope + '/' : ''}${stem}_${this.state.nextId}`);
    for (const t of inputs)
      if (t && !this.canSee(t))
        throw new Error(
          `${type} '${nodeName}': input ${t.name} belongs to graph '${t.graph.graphName}', not visible from '${this.graphName}'`,
        );
    let infos: readonly ValueInfo[];
    if (opts.outputInfos) infos = opts.outputInfos;
    else if (spec) infos = spec.infer(new InferCtx(type, nodeName, inputs, attrs));
    else throw new Error(`${type} '${nodeName}': op is not in ml/graph/ops-table.ts; pass outputInfos`);
    const count = opts.outputs ?? infos.length;
    const key =
      this.state.cse &&
      !spec?.random &&
      !Object.values(attrs).some((a) => a && typeof a === 'object' && 'subgraph' in a)
        ? `${domain}|${type}|${inputs.map((t) => t?.id ?? '-').join(',')}|${count}|${JSON.stringify(attrs)}`
        : undefined;
    const prior = key ? this.cseTable.get(key) : undefined;
    if (prior) {
      this.state.names.delete(nodeName);
      return [...prior.outputs];
    }
    const outputs: Tensor[] = [];
    const node: GraphNode = {
      id: this.state.nextId++,
      op: type,
      domain,
      name: nodeName,
      inputs: [...inputs],
      outputs,
      attrs,
      scope,
    };
    for (let i = 0; i < count; i++) {
      const info = infos[i] ?? { dtype: 'float32', shape: [] };
      outputs.push(
        this.newTensor(count === 1 ? nodeName : this.claim(`${nodeName}:${i}`), info.dtype, info.shape, 'node', node),
      );
    }
    this.nodes.push(node);
    if (key) this.cseTable.set(key, node);
    return outputs;
  }

  /** `op` for single-output ops. */
  op1(type: string, inputs: readonly (Tensor | undefined)[], attrs: Attrs = {}, opts: OpOptions = {}): Tensor {
    return this.op(type, inputs, attrs, { ...opts, outputs: 1 })[0]!;
  }

  /** Marks `t` as a graph output called `name` (renames its value when possible, else adds an Identity). */
  output(t: Tensor, name: string): Tensor {
    if (t.name === name && this.outputs.includes(t)) return t;
    if (
      t.origin === 'node' &&
      t.graph === this &&
      !this.outputs.includes(t) &&
      !this.inputs.includes(t) &&
      !this.state.names.has(name)
    ) {
      this.state.names.delete(t.name);
      this.state.names.add(name);
      t.name = name;
      this.outputs.push(t);
      return t;
    }
    if (this.state.names.has(name))
      throw new Error(`output '${name}': the name is already used in graph '${this.root.graphName}'`);
    const id = this.op1('Identity', [t], {}, { name: 'out' });
    return this.output(id, name);
  }

  /** Runs `fn` with nodes tagged by scope `name` (nested scopes join with '/'); used by gradient checkpointing. */
  scope<T>(name: string, fn: () => T): T {
    this.state.scope.push(name);
    try {
      return fn();
    } finally {
      this.state.scope.pop();
    }
  }

  /** Runs `fn` with common-subexpression elimination off (recomputed activations must not merge with originals). */
  withoutCSE<T>(fn: () => T): T {
    const prev = this.state.cse;
    this.state.cse = false;
    try {
      return fn();
    } finally {
      this.state.cse = prev;
    }
  }

  /** Whether `t` lives in this graph or an enclosing one. */
  canSee(t: Tensor): boolean {
    for (let g: GraphCore | undefined = this; g; g = g.parent) if (t.graph === g) return true;
    return false;
  }

  get inputInfos(): readonly ValueInfo[] {
    return this.inputs;
  }
  get outputInfos(): readonly ValueInfo[] {
    return this.outputs;
  }

  protected newTensor(
    name: string,
    dtype: DType,
    shape: Shape,
    origin: TensorOrigin,
    producer?: GraphNode,
    value?: TensorData,
  ): Tensor {
    if (shape.some((d) => !Number.isInteger(d) || d < 0))
      throw new Error(`${name}: shape ${fmtShape(shape)} must have non-negative integer dims`);
    return new Tensor(this, this.state.nextId++, name, dtype, [...shape], origin, producer, value);
  }

  /** Reserves a caller-chosen name, which must be free. */
  protected claimExact(name: string, what: string): string {
    if (this.state.names.has(name))
      throw new Error(`${what} '${name}': the name is already used in graph '${this.root.graphName}'`);
    this.state.names.add(name);
    return name;
  }

  /** Reserves a unique name (a suffix is added for generated names; user names must be free). */
  protected claim(name: string): string {
    if (!this.state.names.has(name)) {
      this.state.names.add(name);
      return name;
    }
    for (let i = 1; ; i++) {
      const n = `${name}_${i}`;
      if (!this.state.names.has(n)) {
        this.state.names.add(n);
        return n;
      }
    }
  }
}

export { isTypedAttr };
