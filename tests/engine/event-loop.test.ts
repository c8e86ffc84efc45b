/**
 * A run of thousands of instant nodes leaves the event loop free for the server: requests, the WebSocket and
 * cancel are answered while it runs, not after.
 *
 *   c0 -> c1 -> c2 -> ... -> c5999      (Add nodes that return at once)
 */
import { graph, testEngine } from './helpers';

test('timers fire while a 6,000-node chain of instant nodes runs, and cancel stops it midway', async () => {
  const engine = testEngine();
  const n = 6000;
  const specs = ['c0:Const', ...Array.from({ length: n - 1 }, (_, i) => `c${i + 1}:Add`)];
  const edges = Array.from({ length: n - 1 }, (_, i) => `c${i}.out -> c${i + 1}.a`);
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 0);
  let ticksWhenDone = -1;
  const controller = new AbortController();
  // Cancel from a timer, as a REST request would: it can only land if the loop gets a turn during the run.
  const cancelTimer = setTimeout(() => controller.abort(), 30);
  try {
    const { outcome, events } = await engine.run(graph(specs, edges), { signal: controller.signal });
    ticksWhenDone = ticks;
    const finishedNodes = events.filter((e) => e.type === 'node.finished').length;
    expect(ticksWhenDone).toBeGreaterThan(0);
    expect(outcome).toBe('cancelled');
    expect(finishedNodes).toBeGreaterThan(0);
    expect(finishedNodes).toBeLessThan(n);
  } finally {
    clearInterval(ticker);
    clearTimeout(cancelTimer);
    engine.dispose();
  }
});
