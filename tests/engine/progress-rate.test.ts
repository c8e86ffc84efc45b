/** The rate and ETA right after a node starts or resumes: steps reported in one batch are not a speed. */
import { createProgressThrottle } from '../../server/engine/progress';
import type { NodeProgress } from '../../protocol/messages';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('a resumed trainer reporting a batch of steps at once shows no rate until it has run a while, then the true one', () => {
  let clock = 1000;
  const sent: NodeProgress[] = [];
  const throttle = createProgressThrottle({ progress: (p) => sent.push(p), metrics: () => {} }, 100, () => clock);
  // Resumed at step 200 of 400: the first report carries steps 201..220 in the same millisecond.
  for (let step = 201; step <= 220; step++) throttle.report(step, 400);
  jest.advanceTimersByTime(100);
  expect(sent.at(-1)).toMatchObject({ value: 220 });
  expect(sent.at(-1)!.rate).toBeUndefined();
  expect(sent.at(-1)!.etaSeconds).toBeUndefined();
  // Then 24 steps per second, reported one batch of 12 every half second.
  for (let batch = 1; batch <= 4; batch++) {
    clock += 500;
    jest.advanceTimersByTime(500);
    for (let i = 1; i <= 12; i++) throttle.report(220 + (batch - 1) * 12 + i, 400);
  }
  throttle.flush();
  expect(sent.at(-1)!.rate).toBeCloseTo(24, 0);
  expect(sent.at(-1)!.etaSeconds).toBeCloseTo((400 - 268) / 24, 0);
});
