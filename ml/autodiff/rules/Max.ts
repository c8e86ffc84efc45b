/** Binary Max/Min: the gradient goes to the selected operand (ties to the first). */
import type { GradRule } from '../rule';
import { dy0 } from '../rule';
import { unbroadcast } from '../util';

const select =
  (first: 'GreaterOrEqual' | 'LessOrEqual'): GradRule =>
  (ctx) => {
    const {
      g,
      node,
      x: [a, b],
      needs,
    } = ctx;
    if (ctx.x.length !== 2) throw new Error(`${node.op} '${node.name}': gradient supports two inputs only`);
    const dy = dy0(ctx);
    const takeA = g.op1(first, [a!, b!]);
    return [
      needs[0] ? unbroadcast(g, g.where(takeA, dy, 0), a!.shape) : undefined,
      needs[1] ? unbroadcast(g, g.where(takeA, 0, dy), b!.shape) : undefined,
    ];
  };

export const Max = select('GreaterOrEqual');
export const Min = select('LessOrEqual');
