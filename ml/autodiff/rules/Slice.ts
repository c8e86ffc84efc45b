/** d slice(x) with unit steps = dy zero-padded back to x's shape (one Pad). */
import { constInts, dy0, type GradRule } from '../rule';

export const Slice: GradRule = (ctx) => {
  const { node } = ctx;
  const x = ctx.x[0]!;
  const starts = constInts(node, ctx.x[1], 'starts')!,
    ends = constInts(node, ctx.x[2], 'ends')!;
  const axes = constInts(node, ctx.x[3], 'axes') ?? starts.map((_, i) => i);
  const steps = constInts(node, ctx.x[4], 'steps') ?? starts.map(() => 1);
  if (steps.some((s) => s !== 1)) throw new Error(`Slice '${node.name}': gradient supports unit steps only`);
  const pads = Array<number>(x.rank * 2).fill(0);
  axes.forEach((a, i) => {
    const ax = a < 0 ? a + x.rank : a;
    const d = x.shape[ax]!;
    const s = Math.min(Math.max(starts[i]! < 0 ? starts[i]! + d : starts[i]!, 0), d);
    const e = Math.min(Math.max(ends[i]! < 0 ? ends[i]! + d : ends[i]!, s), d);
    pads[ax] = s;
    pads[ax + x.rank] = d - e;
  });
  return [pads.every((p) => p === 0) ? dy0(ctx) : ctx.g.pad(dy0(ctx), pads)];
};
