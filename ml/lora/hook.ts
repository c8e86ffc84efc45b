/**
 * The LoRA adapter in the graph: after each adapted linear layer, y + (alpha/rank) * up(dropout(down(x))), with
 * down [rank, in] and up [out, rank] as graph tensors (trainable inputs while training).
 */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import type { LinearHook } from '../dit/layers';

export interface AdapterTensors {
  down: Tensor;
  up: Tensor;
  /** alpha / rank (times a strength, when sampling). */
  scale: number;
}

/**
 * Per-module dropout masks (kohya's network_dropout, on the rank features after down): a [M, B, N, rank] tensor of
 * 0 or 1/(1-p), fed with each batch so that a resumed run draws the same masks; `index` gives each module's row.
 */
export interface DropoutMasks {
  masks: Tensor;
  index: ReadonlyMap<string, number>;
}

/** A LinearHook adding every adapter in `adapters` (by module name) to its layer's output. */
export function loraHook(
  g: GraphBuilder,
  adapters: ReadonlyMap<string, AdapterTensors>,
  dropout?: DropoutMasks,
): LinearHook {
  return (module, x, y) => {
    const a = adapters.get(module);
    if (!a) return y;
    let h = g.matmul(x, g.transpose(a.down, [1, 0]));
    const m = dropout?.index.get(module);
    if (dropout && m !== undefined) h = g.mul(h, maskFor(g, dropout.masks, m, h));
    h = g.mul(h, a.scale);
    return g.add(y, g.matmul(h, g.transpose(a.up, [1, 0])));
  };
}

/** The mask rows of module m shaped like h ([B, N, r] or [B, r]). */
function maskFor(g: GraphBuilder, masks: Tensor, m: number, h: Tensor): Tensor {
  const rows = g.gather(masks, g.constant([m], [], 'int64'), 0); // [B, maxN, r]
  if (h.rank === 3) return g.slice(rows, [0], [h.shape[1] ?? 1], [1]);
  return g.reshape(g.slice(rows, [0], [1], [1]), [h.shape[0] ?? 1, h.shape[1] ?? 1]);
}
