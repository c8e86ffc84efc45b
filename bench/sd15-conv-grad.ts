// The input gradient of the SD 1.5 UNet's 3x3 convolutions, three ways, per shape: ConvTranspose(dY, W), Conv(dY,
// flipped W) with the flip computed in the step (Transpose + Slice, not folded), and Conv by a kernel flipped
// beforehand (the speed a stored flipped copy would give). CPU seconds per run, median of 5.
// Usage: npx tsx bench/sd15-conv-grad.ts [size=512]
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder } from '../ml/graph';
import type { Tensor } from '../ml/graph/tensor';
import { wave } from './sd-bench-options';

const size = Number(process.argv[2] ?? 512);
const lat = size / 8;
const out = (s: string): boolean => process.stdout.write(s + '\n');
/** [cin, cout, h] of the UNet's stride-1 3x3 convolutions (one of each kind). */
const SHAPES: [number, number, number][] = [
  [320, 320, lat],
  [960, 320, lat],
  [640, 640, lat / 2],
  [1280, 1280, lat / 4],
  [2560, 1280, lat / 4],
  [1280, 1280, lat / 8],
];
const NO_FOLD = { optimization: { disable_specified_optimizers: 'ConstantFolding' } };

type Variant = 'convTranspose' | 'flipInStep' | 'preFlipped';

function flip(g: GraphBuilder, w: Tensor): Tensor {
  return g.slice(g.transpose(w, [1, 0, 2, 3]), [2, 2], [-4, -4], [2, 3], [-1, -1]);
}

async function time(cin: number, cout: number, h: number, v: Variant): Promise<number> {
  const g = new GraphBuilder({ name: 'conv_grad' });
  const dy = g.input('dy', 'float32', [1, cout, h, h]);
  const shape = v === 'preFlipped' ? [cin, cout, 3, 3] : [cout, cin, 3, 3];
  const w = g.lazyInitializer('w', shape, 'float32', () => wave(cout * cin * 9, 0.01));
  const dx =
    v === 'convTranspose'
      ? g.convTranspose(dy, w, undefined, { pads: [1, 1, 1, 1] })
      : g.conv(dy, v === 'flipInStep' ? flip(g, w) : w, undefined, { pads: [1, 1, 1, 1] });
  g.output(g.reduceSum(dx), 's');
  const s = await g.createSession({ intraOpNumThreads: 2, graphOptimizationLevel: 'extended', extra: NO_FOLD });
  const feeds = { dy: new OrtTensor('float32', wave(cout * h * h, 0.3), [1, cout, h, h]) };
  await s.run(feeds);
  const cpu: number[] = [];
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage();
    await s.run(feeds);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  await s.release();
  return cpu.sort((a, b) => a - b)[2]!;
}

async function main(): Promise<void> {
  out(`stride-1 3x3 conv input gradient at ${size} px, CPU s per run (2 threads)`);
  out('cin   cout  h    convTranspose  flipInStep  preFlipped');
  for (const [cin, cout, h] of SHAPES) {
    const r = [];
    for (const v of ['convTranspose', 'flipInStep', 'preFlipped'] as const) r.push(await time(cin, cout, h, v));
    out(
      `${[cin, cout, h].map((n) => String(n).padEnd(5)).join(' ')} ${r.map((x) => x.toFixed(3).padStart(12)).join('')}`,
    );
  }
}

void main();
