import './ort-realm';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { gradients } from '../../../ml/autodiff';
import { GraphBuilder, serializeModel } from '../../../ml/graph';

// A chain of LoRA layers h <- tanh(h W + (h A) B) on one flat parameter vector, as the trainer builds it
// (ml/train/step-graph.ts: a Split of 'params', one gradient Concat). onnxruntime orders nodes by a reverse DFS
// from the outputs; each factor's gradient was a side branch reached only from that Concat, so all of them ran
// after the whole backward pass and kept every layer's activations and gradients alive until then.
const L = 6,
  N = 32,
  D = 16,
  R = 4;

function buildStep(): { g: GraphBuilder; factorGrads: string[] } {
  const g = new GraphBuilder({ name: 'lora_chain' });
  const sizes = Array.from({ length: L }, () => [D * R, R * D]).flat();
  const p = g.input('params', 'float32', [sizes.reduce((a, b) => a + b, 0)]);
  const pieces = g.split(p, sizes, 0);
  let h = g.input('x', 'float32', [N, D]);
  for (let k = 0; k < L; k++) {
    const w = g.initializer(
      `w${k}`,
      Float32Array.from({ length: D * D }, (_, i) => Math.sin(i + k) / 4),
      [D, D],
    );
    const a = g.reshape(pieces[2 * k]!, [D, R]);
    const b = g.reshape(pieces[2 * k + 1]!, [R, D]);
    h = g.scope(`layer${k}`, () => g.tanh(g.add(g.matmul(h, w), g.matmul(g.matmul(h, a), b))));
  }
  const loss = g.reduceMean(g.mul(h, h));
  const [grad] = gradients(g, loss, [p]);
  g.output(g.sub(p, g.mul(grad!, 0.1)), 'params_next');
  g.output(loss, 'loss');
  // The gradient Concat's inputs are the factors' gradients reshaped to their pieces; the products under those
  // Reshapes (x^T dy) are what must run as soon as their layer's backward is done.
  const concat = g.nodes.find((n) => n.op === 'Concat' && n.outputs[0] === grad)!;
  const factorGrads = concat.inputs.map((t) => {
    let node = t!.producer!;
    while (node.op === 'Reshape') node = node.inputs[0]!.producer!;
    return node.name;
  });
  return { g, factorGrads };
}

async function run(g: GraphBuilder, profile?: string): Promise<{ loss: number; next: Float32Array; order: string[] }> {
  const session = await InferenceSession.create(serializeModel(g).model, {
    enableProfiling: !!profile,
    profileFilePrefix: profile,
    executionMode: 'sequential',
    intraOpNumThreads: 1,
  });
  const total = session.inputNames.includes('params') ? L * 2 * D * R : 0;
  const params = Float32Array.from({ length: total }, (_, i) => Math.cos(i) / 5);
  const x = Float32Array.from({ length: N * D }, (_, i) => Math.sin(i * 0.7));
  const out = await session.run({
    params: new OrtTensor('float32', params, [total]),
    x: new OrtTensor('float32', x, [N, D]),
  });
  let order: string[] = [];
  if (profile) {
    session.endProfiling();
    const dir = path.dirname(profile);
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    if (!file) throw new Error(`no profile written in ${dir}`);
    const events = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      cat: string;
      name: string;
      ts: number;
    }[];
    order = events
      .filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'))
      .sort((a, b) => a.ts - b.ts)
      .map((e) => e.name.slice(0, -'_kernel_time'.length));
  }
  await session.release();
  return { loss: (out.loss!.data as Float32Array)[0]!, next: out.params_next!.data as Float32Array, order };
}

test('each LoRA factor gradient runs as soon as its layer is differentiated, last layer first', async () => {
  const { g, factorGrads } = buildStep();
  const dir = mkdtempSync(path.join(tmpdir(), 'weight-grad-order-'));
  const { order } = await run(g, path.join(dir, 'prof'));
  rmSync(dir, { recursive: true, force: true });
  const at = factorGrads.map((name) => {
    const i = order.indexOf(name);
    if (i < 0) throw new Error(`${name} is not in the profiled order`);
    return i;
  });
  // Layer k's factors are pieces 2k and 2k+1; the backward pass reaches layer L-1 first.
  const layerAt = Array.from({ length: L }, (_, k) => Math.max(at[2 * k]!, at[2 * k + 1]!));
  for (let k = L - 1; k > 0; k--) expect(layerAt[k]!).toBeLessThan(layerAt[k - 1]!);
}, 30_000);
