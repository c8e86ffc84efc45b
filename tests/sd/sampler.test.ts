/** SD 1.5 samplers: the model's σ table and Karras schedule, and each sampler on data whose ideal denoiser is known. */
import { modelSigmas, sampleLatents, sigmaSchedule, SD_SAMPLERS, timestepOf } from '../../ml/sd/sampler';

test("σ runs from SD 1.5's 0.0292 to 14.61; a σ maps back to its timestep; schedules fall to 0", () => {
  const table = modelSigmas();
  expect(table[0]).toBeCloseTo(0.0292, 4);
  expect(table[999]).toBeCloseTo(14.6146, 3);
  expect(timestepOf(table[500]!, table)).toBeCloseTo(500, 6);
  expect(timestepOf((table[10]! + table[11]!) / 2, table)).toBeGreaterThan(10);
  for (const karras of [false, true]) {
    const s = sigmaSchedule(10, karras, table);
    expect(s).toHaveLength(11);
    expect(s[0]).toBeCloseTo(table[999]!, 6);
    expect(s[9]).toBeCloseTo(table[0]!, 6);
    expect(s[10]).toBe(0);
    for (let i = 1; i < s.length; i++) expect(s[i]!).toBeLessThan(s[i - 1]!);
  }
});

test('every sampler converges to data of the right spread when the denoiser is ideal, DPM++ 2M fastest; a seed repeats', async () => {
  // Data ~ N(0, 0.5²) in every coordinate: the ideal denoiser is D(x, σ) = x · 0.25 / (0.25 + σ²).
  const ideal = async (x: Float32Array, s: number) => x.map((v) => (v * 0.25) / (0.25 + s * s));
  const std = (x: Float32Array) => Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
  const error = async (sampler: (typeof SD_SAMPLERS)[number], steps: number) =>
    Math.abs(std(await sampleLatents(ideal, { sampler, steps, seed: 7, size: 20_000 })) - 0.5);
  for (const sampler of SD_SAMPLERS) {
    expect(await error(sampler, 200)).toBeLessThan(0.02);
    expect(await error(sampler, 200)).toBeLessThan(await error(sampler, 20));
    const run = () => sampleLatents(ideal, { sampler, steps: 5, seed: 7, size: 100 });
    expect(Array.from(await run())).toEqual(Array.from(await run()));
  }
  expect(await error('dpmpp_2m_karras', 20)).toBeLessThan(0.015);
  expect(await error('dpmpp_2m_karras', 20)).toBeLessThan(await error('euler', 20));
});
