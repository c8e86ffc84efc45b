/** checkGrad: compares the autodiff gradient of one op against central finite differences on random inputs. */
import './ort-realm';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { gradients } from '../../../ml/autodiff';
import { GraphBuilder, typedArrayFor, type Attrs, type DType, type Shape, type Tensor } from '../../../ml/graph';

/** A differentiable input: its shape, or a shape with the range its random values come from. */
type FloatSpec = Shape | { shape: Shape; range?: [number, number]; awayFromZero?: boolean };
/** A fixed (non-differentiable) constant input. */
interface ConstSpec {
  readonly constant: readonly number[];
  readonly shape?: Shape;
  readonly dtype?: DType | 'float';
}
export type InputSpec = FloatSpec | ConstSpec;

/** Integer constant (axes, shapes, indices). */
export const ints = (v: readonly number[], shape?: Shape): ConstSpec => ({ constant: v, shape, dtype: 'int64' });
/** Boolean constant (Where conditions). */
export const bools = (v: readonly number[], shape: Shape): ConstSpec => ({ constant: v, shape, dtype: 'bool' });
/** Float constant in the check's dtype. */
export const floats = (v: readonly number[], shape?: Shape): ConstSpec => ({ constant: v, shape, dtype: 'float' });
/** Omitted optional input. */
export const NONE = undefined;

export interface CheckOptions {
  /** float64 (default) where the op has a float64 CPU kernel, else float32. */
  dtype?: 'float64' | 'float32';
  /** Allowed |analytic - numeric| / max(1, |numeric|): 1e-6 for float64, 1e-2 for float32 unless set. */
  tol?: number;
  /** Outputs that feed the loss (default: all float outputs). */
  use?: readonly number[];
  domain?: string;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const isConst = (s: InputSpec | undefined): s is ConstSpec => !!s && typeof s === 'object' && 'constant' in s;

/** Builds `op` on random inputs, loss = sum(out * R), and checks every float input's gradient numerically. */
export async function checkGrad(
  op: string,
  inputs: Record<string, InputSpec | undefined>,
  attrs: Attrs = {},
  opts: CheckOptions = {},
): Promise<void> {
  const dtype = opts.dtype ?? 'float64';
  const tol = opts.tol ?? (dtype === 'float64' ? 1e-6 : 1e-2);
  const h = dtype === 'float64' ? 1e-5 : 1e-2;
  const rand = rng([...op].reduce((a, c) => a * 31 + c.charCodeAt(0), 7));
  const g = new GraphBuilder({ name: `check_${op}` });
  const feeds: Record<string, Float64Array | Float32Array> = {};
  const wrt: Tensor[] = [];
  const ins = Object.entries(inputs).map(([name, spec]) => {
    if (spec === undefined) return undefined;
    if (isConst(spec))
      return g.constant(
        spec.constant,
        spec.shape ?? [spec.constant.length],
        spec.dtype === 'float' || !spec.dtype ? dtype : spec.dtype,
      );
    const {
      shape,
      range = [-1, 1],
      awayFromZero = false,
    } = Array.isArray(spec) ? { shape: spec as Shape } : (spec as Exclude<FloatSpec, Shape>);
    const n = shape.reduce((a, b) => a * b, 1);
    const vals = Array.from({ length: n }, () => {
      if (!awayFromZero) return range[0] + (range[1] - range[0]) * rand();
      return (rand() < 0.5 ? -1 : 1) * (0.2 + 0.8 * rand());
    });
    feeds[name] = typedArrayFor(dtype, vals) as Float64Array | Float32Array;
    const t = g.input(name, dtype, shape);
    wrt.push(t);
    return t;
  });
  const outs = g.op(op, ins, attrs, { domain: opts.domain });
  const used = (opts.use ?? outs.map((_, i) => i)).map((i) => outs[i]!).filter((t) => t.dtype === dtype);
  const terms = used.map((t) =>
    g.reduceSum(
      g.mul(
        t,
        g.constant(
          typedArrayFor(
            dtype,
            Array.from({ length: t.shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1),
          ),
          t.shape,
        ),
      ),
    ),
  );
  const loss = g.sum(terms);
  g.output(loss, 'loss');
  gradients(g, loss, wrt).forEach((d, i) => g.output(d, `grad_${i}`));
  const session = await g.createSession();
  const run = async (f: typeof feeds): Promise<Record<string, OrtTensor>> =>
    session.run(
      Object.fromEntries(wrt.map((t) => [t.name, new OrtTensor(dtype, f[t.name]!, [...t.shape])])),
    ) as Promise<Record<string, OrtTensor>>;
  const base = await run(feeds);
  const errors: string[] = [];
  for (const [wi, t] of wrt.entries()) {
    const x = feeds[t.name]!;
    const analytic = base[`grad_${wi}`]!.data as Float64Array;
    for (let j = 0; j < x.length; j++) {
      const orig = x[j]!;
      x[j] = orig + h;
      const lp = Number((await run(feeds)).loss!.data[0]);
      x[j] = orig - h;
      const lm = Number((await run(feeds)).loss!.data[0]);
      x[j] = orig;
      const numeric = (lp - lm) / (2 * h);
      const err = Math.abs(analytic[j]! - numeric) / Math.max(1, Math.abs(numeric));
      if (!(err <= tol)) errors.push(`${t.name}[${j}]: autodiff ${analytic[j]} vs numeric ${numeric}`);
    }
  }
  await session.release();
  if (errors.length)
    throw new Error(`${op} gradient mismatch (${dtype}, tol ${tol}):\n${errors.slice(0, 8).join('\n')}`);
}
