// One self-attention of the SD 1.5 UNet's 64x64 level (4096 tokens, width 320, 8 heads) forward and backward, its
// chunks recomputed as the 512 px LoRA step recomputes them, its output feeding a rank-32 product as to_out's LoRA
// does (so the backward pass needs the output): CPU seconds per run (best of 5) for several chunk sizes.
// Usage: npx tsx bench/sd15-attention.ts [tokens=4096] [maxScores=2^24,2^22]
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { gradients } from '../ml/autodiff';
import { GraphBuilder } from '../ml/graph';
import { attention, CHUNK_SCOPE } from '../ml/sd/attention';
import { wave } from './sd-bench-options';

const n = Number(process.argv[2] ?? 4096);
const bounds = (process.argv[3] ?? '2^24,2^22')
  .split(',')
  .map((s) => (s.startsWith('2^') ? 2 ** Number(s.slice(2)) : +s));
const c = 320;
const out = (s: string): boolean => process.stdout.write(s + '\n');

async function time(maxScores: number): Promise<{ cpu: number; wall: number }> {
  const g = new GraphBuilder({ name: 'attn' });
  const [q, k, v] = ['q', 'k', 'v'].map((name) => g.input(name, 'float32', [n, c]));
  const down = g.input('down', 'float32', [c, 32]);
  const o = g.scope('unet/site', () => g.matmul(attention(g, q!, k!, v!, 1, 8, { maxScores }), down));
  const loss = g.reduceSum(g.mul(o, g.constant(wave(n * 32, 0.7), [n, 32])));
  const chunks = [...new Set(g.nodes.map((x) => x.scope).filter((s) => s.includes(CHUNK_SCOPE)))];
  const grads = gradients(g, loss, [q!, k!, v!, down], { recompute: [...chunks, 'unet/site'] });
  g.output(g.sum(grads.map((d) => g.reduceSum(d))), 's');
  const s = await g.createSession({ intraOpNumThreads: 2, graphOptimizationLevel: 'extended' });
  const feeds = Object.fromEntries(
    ['q', 'k', 'v'].map((name, i) => [name, new OrtTensor('float32', wave(n * c, 0.1 + i / 10), [n, c])]),
  );
  feeds.down = new OrtTensor('float32', wave(c * 32, 0.05), [c, 32]);
  await s.run(feeds);
  const cpu: number[] = [],
    wall: number[] = [];
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage(),
      t0 = performance.now();
    await s.run(feeds);
    const u = process.cpuUsage(c0);
    cpu.push((u.user + u.system) / 1e6);
    wall.push((performance.now() - t0) / 1000);
  }
  await s.release();
  return { cpu: Math.min(...cpu), wall: Math.min(...wall) };
}

async function main(): Promise<void> {
  out(`self-attention, ${n} tokens, width ${c}, 8 heads: forward + backward with chunks recomputed`);
  for (const m of bounds) {
    const r = await time(m);
    out(`maxScores ${m}: CPU ${r.cpu.toFixed(3)} s, wall ${r.wall.toFixed(3)} s`);
  }
}

void main();
