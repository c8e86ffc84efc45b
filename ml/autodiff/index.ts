/**
 * ml/autodiff: reverse-mode automatic differentiation over ml/graph graphs. The backward pass is emitted as standard
 * ONNX ops into the same graph (onnxruntime has no gradient kernels here), one rule per op in rules/<Op>.ts.
 *
 * ```ts
 * const loss = g.reduceMean(g.mul(err, err));
 * const [dW1, dW2] = gradients(g, loss, [w1, w2], { recompute: ['block0', 'block1'] });
 * g.output(g.sub(w1, g.mul(dW1, lr)), 'w1_next');
 * ```
 * Works in Loop bodies too: pass the body builder and tensors of that body.
 */
import type { GraphBuilder } from '../graph/builder';
import type { GraphNode, Tensor } from '../graph/tensor';
import { fmtShape, isFloat } from '../graph/types';
import { Recomputer } from './recompute';
import type { GradRule } from './rule';
import { RULES } from './rules';

export interface GradientOptions {
  /** Gradient flowing into the loss (default: ones shaped like the loss). */
  seed?: Tensor;
  /** Scope names (from `g.scope(name, ...)`) whose activations are recomputed in the backward pass. */
  recompute?: readonly string[];
}

const rules = new Map<string, GradRule>(Object.entries(RULES));

/** Adds or replaces the gradient rule for an op type (for ops of a model that the built-in rules do not cover). */
export function registerGradRule(op: string, rule: GradRule): void {
  rules.set(op, rule);
}

/** Op types that have a gradient rule. */
export function differentiableOps(): string[] {
  return [...rules.keys()].sort();
}

/** Emits the backward pass of `loss` into `g` and returns d loss / d w for each `w` (zeros where unconnected). */
export function gradients(g: GraphBuilder, loss: Tensor, wrt: readonly Tensor[], opts: GradientOptions = {}): Tensor[] {
  if (loss.graph !== g) throw new Error(`gradients: loss ${loss.name} is not a value of graph '${g.graphName}'`);
  for (const w of wrt) {
    if (w.graph !== g) throw new Error(`gradients: ${w.name} is not a value of graph '${g.graphName}'`);
    if (!isFloat(w.dtype)) throw new Error(`gradients: ${w.name} is ${w.dtype}; only float values have gradients`);
  }
  const forward = g.nodes.slice();
  const path = backwardPath(forward, loss, wrt);
  const contrib = new Map<Tensor, Tensor[]>();
  const add = (t: Tensor, d: Tensor): void => {
    const list = contrib.get(t);
    if (list) list.push(d);
    else contrib.set(t, [d]);
  };
  const total = (t: Tensor): Tensor | undefined => {
    const list = contrib.get(t);
    if (!list) return undefined;
    const s = g.sum(list);
    contrib.set(t, [s]);
    return s;
  };
  return g.scope('grad', () => {
    if (opts.seed && fmtShape(opts.seed.shape) !== fmtShape(loss.shape))
      throw new Error(`gradients: seed shape ${fmtShape(opts.seed.shape)} differs from loss ${fmtShape(loss.shape)}`);
    add(loss, opts.seed ?? g.fill(1, loss.shape, loss.dtype));
    const recomputer = opts.recompute?.length ? new Recomputer(g, forward, opts.recompute) : undefined;
    for (const node of path.nodes) {
      const dy = node.outputs.map(total);
      if (dy.every((d) => d === undefined)) continue;
      const rule =
        rules.get(node.op) ?? fail(node, `no gradient rule for ${node.op}; add ml/autodiff/rules/${node.op}.ts`);
      const needs = node.inputs.map((t) => !!t && path.needed.has(t) && isFloat(t.dtype));
      const view = recomputer ? recomputer.view(node, dy) : { x: [...node.inputs], y: [...node.outputs] };
      const dx = orderWeightGrads(g, node, rule({ g, node, x: view.x, y: view.y, dy, needs }), needs, path.paramOnly);
      node.inputs.forEach((t, i) => {
        const d = dx[i];
        if (!t || !needs[i] || !d) return;
        if (fmtShape(d.shape) !== fmtShape(t.shape))
          fail(node, `rule gave a gradient of shape ${fmtShape(d.shape)} for input ${i} of shape ${fmtShape(t.shape)}`);
        add(t, d);
      });
    }
    return wrt.map((w) => total(w) ?? g.fill(0, w.shape, w.dtype));
  });
}

/**
 * A weight's gradient (dW = x^T dy of a LoRA factor) is a side branch: nothing else in the backward pass reads it.
 * onnxruntime orders nodes by a reverse DFS from the graph outputs, so such a branch, reached only through the
 * final gradient Concat, ran after the whole backward pass, and every layer's x and dy (recomputed activations and
 * their gradients) stayed alive until then: the memory of a step grew through its backward pass. The gradients
 * this node passes on to activations take a zero computed from its weight gradients (x + 0 is x exactly), so
 * onnxruntime must compute dW before the backward pass goes on and can free x and dy there.
 */
function orderWeightGrads(
  g: GraphBuilder,
  node: GraphNode,
  dx: readonly (Tensor | undefined)[],
  needs: readonly boolean[],
  paramOnly: ReadonlySet<Tensor>,
): (Tensor | undefined)[] {
  const isWeight = (i: number): boolean => needs[i]! && paramOnly.has(node.inputs[i]!);
  const weightGrads = dx.filter((d, i): d is Tensor => !!d && isWeight(i));
  if (!weightGrads.length || !dx.some((d, i) => d && needs[i] && !isWeight(i))) return [...dx];
  const zeros = weightGrads.map((d) => g.mul(g.reshape(g.slice(g.reshape(d, [-1]), [0], [1]), []), 0));
  const zero = zeros.length > 1 ? g.sum(zeros.map((z) => g.cast(z, 'float32'))) : zeros[0]!;
  return dx.map((d, i) => (d && needs[i] && !isWeight(i) ? g.add(d, g.cast(zero, d.dtype)) : d));
}

/**
 * Nodes between `wrt` and `loss` (reverse build order), the values on those paths, and those of them computed from
 * `wrt` alone (the weights themselves, their slices, reshapes and casts).
 */
function backwardPath(
  forward: readonly GraphNode[],
  loss: Tensor,
  wrt: readonly Tensor[],
): { nodes: GraphNode[]; needed: Set<Tensor>; paramOnly: Set<Tensor> } {
  const reached = new Set<Tensor>(wrt);
  const paramOnly = new Set<Tensor>(wrt);
  const fixed = new Set<Tensor>();
  const onward: GraphNode[] = [];
  for (const n of forward) {
    const ins = n.inputs.filter((t): t is Tensor => !!t);
    if (ins.every((t) => t.origin === 'initializer' || t.origin === 'constant' || fixed.has(t)))
      n.outputs.forEach((t) => fixed.add(t));
    if (!ins.some((t) => reached.has(t))) continue;
    onward.push(n);
    const fromWeights = ins.every(
      (t) => paramOnly.has(t) || fixed.has(t) || t.origin === 'initializer' || t.origin === 'constant',
    );
    for (const t of n.outputs)
      if (isFloat(t.dtype)) {
        reached.add(t);
        if (fromWeights) paramOnly.add(t);
      }
  }
  const needed = new Set<Tensor>([loss]);
  const nodes: GraphNode[] = [];
  if (!reached.has(loss)) return { nodes, needed, paramOnly };
  for (let i = onward.length - 1; i >= 0; i--) {
    const n = onward[i]!;
    if (!n.outputs.some((t) => needed.has(t))) continue;
    nodes.push(n);
    for (const t of n.inputs) if (t && reached.has(t)) needed.add(t);
  }
  return { nodes, needed, paramOnly };
}

function fail(node: GraphNode, msg: string): never {
  throw new Error(`gradients: ${node.op} '${node.name}': ${msg}`);
}

export type { GradCtx, GradRule } from './rule';
export { unbroadcast, mm } from './util';
