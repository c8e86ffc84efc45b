// A small counter-based PRNG: the value at position n depends only on (seed, n), so its state is two numbers
// and a checkpoint can store and restore it exactly.

/** Serializable PRNG state: the seed and how many 32-bit draws were taken. */
export interface RngState {
  readonly seed: number;
  readonly counter: number;
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Counter-based generator of uniform and normal numbers; deterministic for a given state. */
export class CounterRng {
  private seed: number;
  private counter: number;

  constructor(seedOrState: number | RngState) {
    const s = typeof seedOrState === 'number' ? { seed: seedOrState, counter: 0 } : seedOrState;
    if (!Number.isSafeInteger(s.counter) || s.counter < 0) throw new Error(`rng: bad counter ${s.counter}`);
    this.seed = s.seed >>> 0;
    this.counter = s.counter;
  }

  /** The state to save; `new CounterRng(state)` continues the same sequence. */
  state(): RngState {
    return { seed: this.seed, counter: this.counter };
  }

  /** The 32-bit value at the current position, then advance. */
  nextU32(): number {
    const n = this.counter++;
    const lo = n >>> 0;
    const hi = Math.floor(n / 0x100000000) >>> 0;
    return mix32(mix32(lo ^ mix32(this.seed + 0x9e3779b9)) + mix32(hi ^ 0x632be59b));
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextU32() / 0x100000000;
  }

  /** Standard normal (Box-Muller; two draws per value so the counter arithmetic stays simple). */
  normal(): number {
    const u1 = (this.nextU32() + 1) / 0x100000001;
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fills `out` with normal values times `std`. */
  fillNormal(out: Float32Array, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * std;
    return out;
  }

  /** Fills `out` with uniform values in [lo, hi). */
  fillUniform(out: Float32Array, lo: number, hi: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /** An independent generator for a named purpose (init, data, noise) derived from this seed. */
  fork(stream: number): CounterRng {
    return new CounterRng(mix32(this.seed ^ mix32(stream + 0x2545f491)));
  }
}
