// Plain-JS references of the optimizers, written from the papers / torch docs, one parameter vector at a time.

export function adamwRef(
  p: Float64Array,
  gr: Float64Array,
  m: Float64Array,
  v: Float64Array,
  lr: number,
  t: number,
  o = { b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.01 },
): void {
  for (let i = 0; i < p.length; i++) {
    p[i]! *= 1 - lr * o.wd;
    m[i] = o.b1 * m[i]! + (1 - o.b1) * gr[i]!;
    v[i] = o.b2 * v[i]! + (1 - o.b2) * gr[i]! ** 2;
    const mhat = m[i]! / (1 - o.b1 ** t);
    const vhat = v[i]! / (1 - o.b2 ** t);
    p[i]! -= (lr * mhat) / (Math.sqrt(vhat) + o.eps);
  }
}

export function sgdRef(
  p: Float64Array,
  gr: Float64Array,
  buf: Float64Array,
  lr: number,
  t: number,
  o = { mu: 0.9, wd: 0, nesterov: false, damp: 0 },
): void {
  for (let i = 0; i < p.length; i++) {
    const d = gr[i]! + o.wd * p[i]!;
    buf[i] = t === 1 ? d : o.mu * buf[i]! + (1 - o.damp) * d;
    p[i]! -= lr * (o.nesterov ? d + o.mu * buf[i]! : buf[i]!);
  }
}

/** Prodigy as in the authors' reference implementation (defaults: no bias correction, decoupled decay). */
export class ProdigyRef {
  d = 1e-6;
  dMax = 1e-6;
  dNum = 0;
  readonly d0 = 1e-6;
  constructor(
    readonly params: Float64Array[],
    readonly o = { b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0 },
  ) {
    this.p0 = params.map((p) => Float64Array.from(p));
    this.s = params.map((p) => new Float64Array(p.length));
    this.m = params.map((p) => new Float64Array(p.length));
    this.v = params.map((p) => new Float64Array(p.length));
  }
  p0: Float64Array[];
  s: Float64Array[];
  m: Float64Array[];
  v: Float64Array[];

  step(grads: Float64Array[], lr: number): void {
    const { b1, b2, eps, wd } = this.o;
    const b3 = Math.sqrt(b2);
    const d = this.d;
    const dlr = d * lr;
    let dNum = this.dNum * b3;
    let dDenom = 0;
    this.params.forEach((p, j) => {
      const g = grads[j]!;
      let dot = 0;
      for (let i = 0; i < p.length; i++) dot += g[i]! * (this.p0[j]![i]! - p[i]!);
      dNum += (d / this.d0) * dlr * dot;
      for (let i = 0; i < p.length; i++) {
        this.m[j]![i] = this.m[j]![i]! * b1 + d * (1 - b1) * g[i]!;
        this.v[j]![i] = this.v[j]![i]! * b2 + d * d * (1 - b2) * g[i]! ** 2;
        this.s[j]![i] = this.s[j]![i]! * b3 + (d / this.d0) * dlr * g[i]!;
        dDenom += Math.abs(this.s[j]![i]!);
      }
    });
    if (dDenom === 0) return;
    const dHat = dNum / dDenom;
    let dNew = d === this.d0 ? Math.max(d, dHat) : d;
    this.dMax = Math.max(this.dMax, dHat);
    dNew = Math.min(this.dMax, dNew * Infinity);
    this.dNum = dNum;
    this.d = dNew;
    this.params.forEach((p, j) => {
      for (let i = 0; i < p.length; i++) {
        const denom = Math.sqrt(this.v[j]![i]!) + dNew * eps;
        p[i]! -= wd * dlr * p[i]!;
        p[i]! -= (dlr * this.m[j]![i]!) / denom;
      }
    });
  }
}
