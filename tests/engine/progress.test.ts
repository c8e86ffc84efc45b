/** Progress events: at most one per 100 ms per node, the last always sent, with rate and ETA from the history. */
import { createProgressThrottle } from '../../server/engine/progress';
import type { NodeProgress } from '../../protocol/messages';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('a node reporting every 10 ms sends about ten progress events per second, the last one included', () => {
  let clock = 0;
  const sent: NodeProgress[] = [];
  const metrics: number[] = [];
  const throttle = createProgressThrottle(
    { progress: (p) => sent.push(p), metrics: (step) => metrics.push(step) },
    100,
    () => clock,
  );
  for (let step = 1; step <= 99; step++) {
    clock = step * 10;
    jest.advanceTimersByTime(10);
    throttle.report(step, 200, { loss: 1 / step });
  }
  throttle.flush();
  expect(sent.length).toBeGreaterThanOrEqual(9);
  expect(sent.length).toBeLessThanOrEqual(11);
  expect(sent.at(-1)).toMatchObject({ value: 99, max: 200 });
  expect(metrics).toHaveLength(99); // metrics points are never dropped: loss curves want every step
  expect(sent.at(-1)!.rate).toBeCloseTo(100, 0); // 1 step per 10 ms
  expect(sent.at(-1)!.etaSeconds).toBeCloseTo(1.01, 1); // 101 steps left
});

test('the final value is sent at once, and nothing is sent after the node ended', () => {
  let clock = 0;
  const sent: NodeProgress[] = [];
  const throttle = createProgressThrottle({ progress: (p) => sent.push(p), metrics: () => {} }, 100, () => clock);
  throttle.report(0, 10);
  clock = 5;
  throttle.report(10, 10);
  expect(sent.map((p) => p.value)).toEqual([0, 10]);
  throttle.flush();
  throttle.report(11, 10);
  jest.advanceTimersByTime(1000);
  expect(sent.map((p) => p.value)).toEqual([0, 10]);
});

test('a throttled report is delivered by the timer when no further report comes', () => {
  let clock = 0;
  const sent: NodeProgress[] = [];
  const throttle = createProgressThrottle({ progress: (p) => sent.push(p), metrics: () => {} }, 100, () => clock);
  throttle.report(1, 10);
  clock = 20;
  throttle.report(2, 10);
  expect(sent.map((p) => p.value)).toEqual([1]);
  clock = 100;
  jest.advanceTimersByTime(80);
  expect(sent.map((p) => p.value)).toEqual([1, 2]);
});
