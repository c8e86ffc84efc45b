/**
 * A run of thousands of instant nodes leaves the event loop free for the server: requests, the WebSocket and
 * cancel are answered while it runs, not after.
 *
 *   c0 -> c1 -> c2 -> ... -> c5999      (Add nodes that return at once)
 */
import { executed, graph, testEngine } from './helpers';

test('timers fire while a 6,000-node chain of instant nodes runs, and a cancel from a timer stops it midway', async () => {
  const engine = testEngine();
  const n = 6000;
  const specs = ['c0:Const', ...Array.from({ length: n - 1 }, (_, i) => `c${i + 1}:Add`)];
  const edges = Array.from({ length: n - 1 }, (_, i) => `c${i}.out -> c${i + 1}.a`);
  const controller = new AbortController();
  // Cancel from a timer once some nodes have run, as a REST request would: it can only land if the loop gets a
  // turn while the run is going.
  const poll = setInterval(() => {
    if (executed.length > 100) controller.abort();
  }, 1);
  try {
    const { outcome, events } = await engine.run(graph(specs, edges), { signal: controller.signal });
    const finishedNodes = events.filter((e) => e.type === 'node.finished').length;
    expect(outcome).toBe('cancelled');
    expect(finishedNodes).toBeGreaterThan(100);
    expect(finishedNodes).toBeLessThan(n);
  } finally {
    clearInterval(poll);
    engine.dispose();
  }
});
