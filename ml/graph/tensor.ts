/** Tensor handles and graph nodes: the data the builder records. */
import type { Attrs, DType, Shape, TensorData } from './types';

/** What shape inference knows of a value: dtype, static shape, and the data of small constants. */
export interface ValueInfo {
  readonly dtype: DType;
  readonly shape: Shape;
  readonly value?: TensorData;
}

/** Where a tensor comes from. */
export type TensorOrigin = 'input' | 'initializer' | 'constant' | 'node';

/** Minimal view of the owning graph, to avoid an import cycle with builder.ts. */
export interface GraphRef {
  readonly graphName: string;
  readonly parent: GraphRef | undefined;
}

/** A typed handle to a value in a graph. Its name may be changed once by `GraphBuilder.output`. */
export class Tensor implements ValueInfo {
  constructor(
    readonly graph: GraphRef,
    readonly id: number,
    public name: string,
    readonly dtype: DType,
    readonly shape: Shape,
    readonly origin: TensorOrigin,
    readonly producer?: GraphNode,
    readonly value?: TensorData,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `${this.name}:${this.dtype}[${this.shape.join(',')}]`;
  }
}

/** One ONNX node as recorded by the builder. `inputs[i]` undefined means an omitted optional input. */
export interface GraphNode {
  readonly id: number;
  readonly op: string;
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly (Tensor | undefined)[];
  readonly outputs: readonly Tensor[];
  readonly attrs: Attrs;
  /** Scope path at creation (`block3/attn`), used by gradient checkpointing. */
  readonly scope: string;
}
