// FLOP counting from a built graph's static shapes: the matrix products and convolutions that dominate training.
import type { GraphCore, GraphNode } from '../graph';

function nodeFlops(n: GraphNode): number {
  const a = n.inputs[0]?.shape,
    b = n.inputs[1]?.shape,
    y = n.outputs[0]?.shape;
  if (!a || !b || !y) return 0;
  const numel = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
  switch (n.op) {
    case 'MatMul': {
      const k = a[a.length - 1]!; // 2 * (output elements) * (inner dimension)
      return 2 * numel(y) * k;
    }
    case 'FusedMatMul': {
      const transA =
        n.attrs.transA === 1 ||
        (typeof n.attrs.transA === 'object' && (n.attrs.transA as { value?: unknown }).value === 1);
      const k = transA ? a[a.length - 2]! : a[a.length - 1]!;
      return 2 * numel(y) * k;
    }
    case 'Gemm': {
      const transA = n.attrs.transA === 1;
      return 2 * numel(y) * (transA ? a[0]! : a[1]!);
    }
    case 'Conv':
      return 2 * numel(y) * numel(b.slice(1)); // per output: C_in/group * kernel
    case 'ConvTranspose':
      return 2 * numel(a) * numel(b.slice(1));
    default:
      return 0;
  }
}

/** MatMul/FusedMatMul/Gemm/Conv FLOPs of a graph, Loop bodies included (times their trip count when constant). */
export function countMatmulFlops(g: GraphCore): number {
  let total = 0;
  for (const n of g.nodes) {
    total += nodeFlops(n);
    if (n.op === 'Loop') {
      const body = (n.attrs.body as { subgraph?: GraphCore } | undefined)?.subgraph;
      const trip = n.inputs[0]?.value;
      if (body) total += countMatmulFlops(body) * (trip ? Number(trip[0]) : 1);
    }
  }
  return total;
}
