/** The contract of a gradient rule: given a forward node and the gradients of its outputs, emit input gradients. */
import type { GraphBuilder } from '../graph/builder';
import type { GraphNode, Tensor } from '../graph/tensor';

export interface GradCtx {
  /** Where backward ops are emitted (the forward graph itself). */
  readonly g: GraphBuilder;
  readonly node: GraphNode;
  /** Forward inputs (recomputed copies when the node is in a checkpointed scope). */
  readonly x: readonly (Tensor | undefined)[];
  /** Forward outputs (recomputed copies when checkpointed). */
  readonly y: readonly Tensor[];
  /** Gradients of the outputs; undefined where no path to the loss exists. */
  readonly dy: readonly (Tensor | undefined)[];
  /** Which inputs need a gradient. */
  readonly needs: readonly boolean[];
}

/** Returns one gradient per input (undefined for inputs that need none or are not differentiable). */
export type GradRule = (ctx: GradCtx) => (Tensor | undefined)[];

/** Reads an integer attribute of the node. */
export function intAttr(node: GraphNode, name: string, dflt: number): number {
  const a = node.attrs[name];
  const v = a && typeof a === 'object' && 'kind' in a ? a.value : a;
  return typeof v === 'number' ? v : dflt;
}

/** Reads a list attribute of the node. */
export function intsAttr(node: GraphNode, name: string): number[] | undefined {
  const a = node.attrs[name];
  const v = a && typeof a === 'object' && 'kind' in a ? a.value : a;
  return Array.isArray(v) ? (v as number[]) : undefined;
}

/** Reads a string attribute of the node. */
export function strAttr(node: GraphNode, name: string, dflt: string): string {
  const a = node.attrs[name];
  const v = a && typeof a === 'object' && 'kind' in a ? a.value : a;
  return typeof v === 'string' ? v : dflt;
}

/** The integer values of a constant input (axes, shapes...). */
export function constInts(node: GraphNode, t: Tensor | undefined, what: string): number[] | undefined {
  if (!t) return undefined;
  if (!t.value) throw new Error(`${node.op} '${node.name}': ${what} must be a constant to differentiate`);
  return Array.from(t.value as ArrayLike<number | bigint>, Number);
}

/** The first output gradient, which single-output rules require. */
export function dy0(ctx: GradCtx): Tensor {
  const d = ctx.dy[0];
  if (!d) throw new Error(`${ctx.node.op} '${ctx.node.name}': gradient rule called without an output gradient`);
  return d;
}
