import { lrAt, lrRange, validateSchedule } from '../../../ml/optim';
import { CounterRng } from '../../../ml/train/rng';

describe('learning-rate schedules', () => {
  it('warmup ramps linearly to the peak, then constant/linear/cosine decay to minLr at totalSteps', () => {
    const base = { lr: 1, totalSteps: 110, warmupSteps: 10, minLr: 0.1 };
    expect(lrAt({ ...base, kind: 'constant' }, 0)).toBeCloseTo(0.1);
    expect(lrAt({ ...base, kind: 'constant' }, 9)).toBe(1);
    expect(lrAt({ ...base, kind: 'constant' }, 100)).toBe(1);
    expect(lrAt({ ...base, kind: 'linear' }, 10)).toBe(1);
    expect(lrAt({ ...base, kind: 'linear' }, 60)).toBeCloseTo(0.55);
    expect(lrAt({ ...base, kind: 'linear' }, 110)).toBeCloseTo(0.1);
    expect(lrAt({ ...base, kind: 'cosine' }, 60)).toBeCloseTo(0.55);
    expect(lrAt({ ...base, kind: 'cosine' }, 35)).toBeCloseTo(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)));
    expect(lrAt({ ...base, kind: 'cosine' }, 500)).toBeCloseTo(0.1);
  });

  it('feeds K steps at once as a float32 tensor', () => {
    const r = lrRange({ kind: 'linear', lr: 2, totalSteps: 4 }, 1, 3);
    expect(Array.from(r)).toEqual([1.5, 1, 0.5]);
  });

  it('refuses bad settings naming the field', () => {
    expect(() => validateSchedule({ kind: 'constant', lr: -1, totalSteps: 5 })).toThrow(/lr must be/);
    expect(() => validateSchedule({ kind: 'constant', lr: 1, totalSteps: 0 })).toThrow(/totalSteps/);
    expect(() => validateSchedule({ kind: 'constant', lr: 1, totalSteps: 5, warmupSteps: 1.5 })).toThrow(/warmupSteps/);
  });
});

describe('counter-based PRNG', () => {
  it('continues the same sequence from a saved state, and forks independent streams', () => {
    const a = new CounterRng(42);
    a.fillNormal(new Float32Array(7));
    const saved = a.state();
    const next = [a.uniform(), a.normal(), a.int(10)];
    const b = new CounterRng(JSON.parse(JSON.stringify(saved)));
    expect([b.uniform(), b.normal(), b.int(10)]).toEqual(next);
    expect(new CounterRng(42).fork(1).uniform()).not.toBe(new CounterRng(42).fork(2).uniform());
  });

  it('draws normals with mean ~0 and variance ~1, and permutations of every index', () => {
    const x = new CounterRng(3).fillNormal(new Float32Array(20000));
    const m = x.reduce((s, v) => s + v, 0) / x.length;
    const v = x.reduce((s, t) => s + (t - m) ** 2, 0) / x.length;
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
    expect([...new CounterRng(9).permutation(50)].sort((p, q) => p - q)).toEqual([...Array(50).keys()]);
  });
});
