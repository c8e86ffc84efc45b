/**
 * ml/graph: build ONNX graphs in TypeScript with static shape/dtype inference, serialize them, and run them with
 * onnxruntime-node. The training runtime, the autodiff (ml/autodiff) and the models build on this.
 *
 * Usage:
 * ```ts
 * import { GraphBuilder } from '../graph';
 * const g = new GraphBuilder({ name: 'mlp' });              // opset 21 by default
 * const x = g.input('x', 'float32', [16, 8]);
 * const w = g.input('w', 'float32', [8, 4]);                 // trainable values are inputs
 * const frozen = g.initializer('emb', new Float32Array(100 * 4), [100, 4]); // >= 1 MiB goes to external data
 * const h = g.relu(g.add(g.matmul(x, w), 0.5));              // numbers become scalar constants of the other dtype
 * const y = g.scope('block0', () => g.softmax(h, -1));        // scope tags nodes (for gradient checkpointing)
 * g.output(g.reduceMean(y), 'loss');                          // reductions: all axes by default, keepdims=false
 * const session = await g.createSession({ executionProviders: ['cpu'] });
 * ```
 * - Every helper infers shapes; mistakes throw at build time naming the op and node, e.g.
 *   `MatMul 'block0/MatMul_7': inner dimensions differ: [16,8] x [4,4]`.
 * - `g.op(type, inputs, attrs, { domain, outputs, outputInfos })` adds any op; ops in `OPS` (ops-table.ts) get
 *   inference and attribute typing, others need `outputInfos` and `attr.float(...)` for float attributes.
 * - Constant inputs (Reshape shapes, axes, Slice starts) are int64 initializers, deduplicated; identical nodes are
 *   merged as they are built (CSE; `g.withoutCSE(fn)` turns it off); nodes no output needs are not serialized.
 * - Loop: `g.loop({ trip: K, carried: [p, m], body: (b, iter, [p, m]) => ({ carried: [p2, m2], scans: [loss] }) })`.
 *   The body `b` is a GraphBuilder with the same API; it may use outer values directly (outer-scope references),
 *   e.g. `b.gather(batches, iter)` to take batch k from an input. Scans come back stacked on axis 0 ([K, ...]).
 * - `g.toOnnx()` returns `{ model, externalData }` for `InferenceSession.create(model, { externalData })`.
 */
export { GraphBuilder, type GraphBuilderOptions, type LoopSpec, type TensorLike, type ConvAttrs } from './builder';
export { GraphCore, type OpOptions, typedArrayFor, dtypeOfData } from './core';
export { Tensor, type GraphNode, type ValueInfo } from './tensor';
export { OPS, type OpSpec } from './ops-table';
export { InferCtx, broadcastShapes } from './infer';
export { serializeModel, type SerializeOptions, type SerializedModel } from './serialize';
export { createSession, type SessionOptions } from './session';
export { liveness, subgraphsOf } from './hygiene';
export {
  attr,
  numel,
  fmtShape,
  isFloat,
  ONNX_DTYPE,
  type DType,
  type Shape,
  type TensorData,
  type Attrs,
  type AttrValue,
} from './types';
