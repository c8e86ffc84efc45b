/**
 * A small, seeded run of `npm run fuzz` (scripts/fuzz.ts) so that CI sends mutated example workflows to a real
 * server and to `loraflow validate` on every change: no 5xx, no hang, no crash, no stack trace.
 */
import { formatReport, runFuzz, type FuzzOptions } from '../../scripts/fuzz';

test('120 mutated example workflows: every answer a 2xx or a 4xx that says where, none a 5xx, hang or crash', async () => {
  const opts: FuzzOptions = { count: 120, seed: 17, seconds: 90, validateEvery: 60 };
  const report = await runFuzz(opts);
  const printed = formatReport(report, opts);
  expect(report.requests).toBe(120);
  expect([report.errors5xx, report.hangs, report.crashes, report.validateProblems]).toEqual([[], [], [], []]);
  expect(report.answered4xxVague).toEqual([]);
  expect(report.answered4xxNaming).toBeGreaterThan(60);
  expect(printed).toMatch(/5xx: 0\n/);
}, 120_000);
