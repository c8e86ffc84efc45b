/**
 * Gradient checkpointing: nodes of chosen scopes are recomputed in the backward pass, so their activations need not
 * live until the backward pass reaches them. The copies take a zero that depends on the incoming gradient, which
 * forces onnxruntime to run them late (just before their backward ops) rather than early with the forward pass.
 */
import type { GraphBuilder } from '../graph/builder';
import { subgraphsOf } from '../graph/hygiene';
import type { GraphNode, Tensor } from '../graph/tensor';
import { isFloat } from '../graph/types';

/** Does `scope` lie inside the block named `block` (the block itself or a nested scope)? */
const inBlock = (scope: string, block: string): boolean => scope === block || scope.startsWith(block + '/');

export class Recomputer {
  private readonly copies = new Map<string, Map<Tensor, Tensor>>();

  constructor(
    private readonly g: GraphBuilder,
    private readonly forward: readonly GraphNode[],
    private readonly blocks: readonly string[],
  ) {}

  /** Inputs and outputs a rule should use for `node`: recomputed copies when the node is in a checkpointed block. */
  view(node: GraphNode, dy: readonly (Tensor | undefined)[]): { x: (Tensor | undefined)[]; y: Tensor[] } {
    const block = this.blocks.find((b) => inBlock(node.scope, b));
    if (!block || subgraphsOf(node).length) return { x: [...node.inputs], y: [...node.outputs] };
    let map = this.copies.get(block);
    if (!map) {
      map = this.recompute(
        block,
        dy.find((d) => d !== undefined)!,
      );
      this.copies.set(block, map);
    }
    const m = map;
    return { x: node.inputs.map((t) => (t ? (m.get(t) ?? t) : t)), y: node.outputs.map((t) => m.get(t) ?? t) };
  }

  private readonly constants = new Map<Tensor, boolean>();

  /** Whether `t` is an initializer, a constant, or computed from those alone. */
  private constant(t: Tensor): boolean {
    if (t.origin === 'initializer' || t.origin === 'constant') return true;
    if (t.origin !== 'node' || !t.producer) return false;
    let c = this.constants.get(t);
    if (c === undefined) {
      c = t.producer.inputs.every((x) => !x || this.constant(x));
      this.constants.set(t, c);
    }
    return c;
  }

  private recompute(block: string, after: Tensor): Map<Tensor, Tensor> {
    const { g } = this;
    const map = new Map<Tensor, Tensor>();
    const first = g.slice(g.reshape(after, [-1]), [0], [1]);
    const zero = g.mul(g.reshape(first, []), 0);
    const gated = new Map<Tensor, Tensor>();
    const gate = (t: Tensor): Tensor => {
      // Graph inputs are gated too: otherwise onnxruntime's own CSE could merge a copy fed only by inputs with the
      // original and keep the activation alive. Initializers, constants and what is computed from them alone (a
      // float16 weight's float32 Cast, which serialization already gives each use on its own) hold no activations.
      if (this.constant(t) || !isFloat(t.dtype)) return t;
      let r = gated.get(t);
      if (!r) gated.set(t, (r = g.add(t, g.cast(zero, t.dtype))));
      return r;
    };
    // A nested scope recomputed on its own (an attention chunk in its transformer block) is not copied again here:
    // the block's copies read its forward outputs, which are small where its insides are not (a chunk's output
    // against its probabilities). Copying it ran each 64x64 attention of the 512 px SD 1.5 step a third time.
    const nested = this.blocks.filter((b) => b !== block && inBlock(b, block));
    g.withoutCSE(() => {
      for (const n of this.forward) {
        if (!inBlock(n.scope, block) || subgraphsOf(n).length) continue;
        if (nested.some((s) => inBlock(n.scope, s))) continue;
        // Nodes of constants alone are not copied: they hold no activation, and a copy of a float16 weight's marked
        // Cast would be an unmarked one, which onnxruntime folds into a float32 initializer.
        if (n.inputs.every((t) => !t || this.constant(t))) continue;
        const ins = n.inputs.map((t) => (t ? (map.get(t) ?? gate(t)) : t));
        const outs = g.op(n.op, ins, n.attrs, {
          domain: n.domain,
          outputs: n.outputs.length,
          outputInfos: n.outputs,
          name: 'recompute',
        });
        n.outputs.forEach((t, i) => map.set(t, outs[i]!));
      }
    });
    return map;
  }
}
