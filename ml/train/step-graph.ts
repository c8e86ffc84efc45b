// The training-step graph: forward + loss, backward (ml/autodiff), clipping and the optimizer update, for K steps
// per session.run. With K > 1 the steps run inside an ONNX Loop: parameters and optimizer state are loop-carried,
// step k's batch is gathered from a [K, ...] input, per-step losses and gradient norms are scan outputs.
import { GraphBuilder, type Tensor } from '../graph';
import { gradients } from '../autodiff';
import { clipByGlobalNorm, globalNorm, type Optimizer, type StateSpec } from '../optim';
import type { ParamLayout } from './layout';
import type { TrainTask } from './types';

export interface StepGraph {
  readonly g: GraphBuilder;
  readonly steps: number;
  /** Input names: 'params', `state.<name>`..., `batch.<name>`..., 'lrs', 'step0'. */
  readonly stateInputs: readonly string[];
  readonly batchInputs: readonly string[];
  /** Output names, in the order of the inputs they replace. */
  readonly stateOutputs: readonly string[];
}

export interface StepGraphOptions {
  readonly task: TrainTask;
  readonly layout: ParamLayout;
  readonly optimizer: Optimizer;
  readonly stateSpecs: readonly StateSpec[];
  readonly clipNorm?: number;
  /** Optimizer steps per run. */
  readonly steps: number;
}

/** Builds the graph that runs `steps` optimizer steps per call. */
export function buildStepGraph(o: StepGraphOptions): StepGraph {
  const K = o.steps;
  const g = new GraphBuilder({ name: `train_k${K}` });
  const params = g.input('params', 'float32', [o.layout.total]);
  const state = o.stateSpecs.map((s) => g.input(`state.${s.name}`, 'float32', s.shape));
  const batchNames = Object.keys(o.task.batchSpec);
  const batches = batchNames.map((n) => {
    const spec = o.task.batchSpec[n]!;
    return g.input(`batch.${n}`, spec.dtype, [K, ...spec.shape]);
  });
  const lrs = g.input('lrs', 'float32', [K]);
  const step0 = g.input('step0', 'float32', []);

  const body = (b: GraphBuilder, iter: Tensor, carried: Tensor[]): { carried: Tensor[]; scans: Tensor[] } => {
    const [p, ...st] = carried as [Tensor, ...Tensor[]];
    const batch = Object.fromEntries(batchNames.map((n, i) => [n, b.gather(batches[i]!, iter)]));
    const lr = b.gather(lrs, iter);
    const step = b.add(b.add(step0, b.cast(iter, 'float32')), 1);
    const pieces =
      o.layout.params.length > 1
        ? b.split(
            p,
            o.layout.params.map((q) => q.size),
            0,
          )
        : [p];
    const named = Object.fromEntries(
      o.layout.params.map((q, i) => [
        q.name,
        sameShape(q.shape, [q.size]) ? pieces[i]! : b.reshape(pieces[i]!, q.shape),
      ]),
    );
    const loss = o.task.buildLoss(b, named, batch);
    if (loss.dtype !== 'float32' || loss.shape.length !== 0)
      throw new Error(`buildLoss must return a float32 scalar, got ${loss.toString()}`);
    const [grad] = gradients(b, loss, [p], { recompute: o.task.recompute?.(b) });
    if (!grad) throw new Error('the loss does not depend on any trainable parameter');
    const clipped = o.clipNorm
      ? clipByGlobalNorm(b, [grad], o.clipNorm)
      : { grads: [grad], norm: globalNorm(b, [grad]) };
    const upd = o.optimizer.update(b, { params: [p], grads: clipped.grads, state: st, lr, step });
    return { carried: [upd.params[0]!, ...upd.state], scans: [loss, clipped.norm] };
  };

  let outs: { carried: Tensor[]; scans: Tensor[] };
  if (K === 1) {
    // One step per run needs no Loop: build the body straight into the root graph.
    const r = body(g, g.constant([0], [], 'int64'), [params, ...state]);
    outs = { carried: r.carried, scans: r.scans.map((s) => g.reshape(s, [1])) };
  } else {
    outs = g.loop({ trip: K, carried: [params, ...state], body, name: 'train_loop' });
  }
  g.output(outs.carried[0]!, 'params.next');
  const stateOutputs = o.stateSpecs.map((s, i) => g.output(outs.carried[i + 1]!, `state.${s.name}.next`).name);
  g.output(outs.scans[0]!, 'losses');
  g.output(outs.scans[1]!, 'grad_norms');
  return { g, steps: K, stateInputs: state.map((t) => t.name), batchInputs: batches.map((t) => t.name), stateOutputs };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
