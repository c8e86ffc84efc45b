// Tiny helpers that keep optimizer math readable: scalar-aware elementwise ops over a graph under construction.
import type { GraphCore } from '../graph/core';
import type { Tensor } from '../graph/tensor';

export type G = GraphCore;
export type Operand = Tensor | number;

/** Elementwise math helpers bound to one graph; numbers become float32 scalar constants. */
export function mathOn(g: G) {
  const t = (x: Operand): Tensor => (typeof x === 'number' ? g.scalar(x) : x);
  const bin =
    (op: string) =>
    (a: Operand, b: Operand): Tensor =>
      g.op1(op, [t(a), t(b)]);
  return {
    t,
    add: bin('Add'),
    sub: bin('Sub'),
    mul: bin('Mul'),
    div: bin('Div'),
    pow: bin('Pow'),
    max: bin('Max'),
    min: bin('Min'),
    sqrt: (a: Tensor): Tensor => g.op1('Sqrt', [a]),
    abs: (a: Tensor): Tensor => g.op1('Abs', [a]),
    /** Sum of all elements as a scalar. */
    sumAll: (a: Tensor): Tensor => g.op1('ReduceSum', [a], { keepdims: 0 }),
    /** Sum of squares of all elements as a scalar. */
    sumSquares: (a: Tensor): Tensor => g.op1('ReduceSumSquare', [a], { keepdims: 0 }),
    /** Adds scalars (or tensors) in a chain; one value is returned as is. */
    sum: (xs: readonly Tensor[]): Tensor => xs.reduce((acc, x) => g.op1('Add', [acc, x])),
  };
}
