/** Independent branches run concurrently within resource slots: CPU slots, and one slot per GPU device. */
import { graph, intervals, maxConcurrent, nodesWith, overlap, testEngine, type TestEngine } from './helpers';

let engine: TestEngine | undefined;
afterEach(() => engine?.dispose());
beforeEach(() => (intervals.length = 0));

const span = (id: string) => intervals.find((i) => i.id === id)!;

/*
 *   train1(Train, gpu)      train2(Train, gpu)      prep(Work, cpu)
 *   no GPU devices: the two trainings share one training slot, the cpu node runs beside them
 */
test('without GPUs two training nodes never overlap, but a CPU node runs beside them', async () => {
  engine = testEngine([], { cpuSlots: 2, gpuDevices: [] });
  const { outcome } = await engine.run(
    graph(['train1:Train{"ms":150}', 'train2:Train{"ms":150}', 'prep:Work{"ms":150}']),
  );
  expect(outcome).toBe('succeeded');
  expect(overlap(span('train1'), span('train2'))).toBe(false);
  expect(overlap(span('prep'), span('train1'))).toBe(true);
  expect(span('train1').device).toBe('cpu');
});

/*
 *   t1(Train)  t2(Train)  t3(Train)     two GPU devices: at most two at once, each on its own device
 */
test('with two GPUs two trainings run at once, each on its own device, never two on one', async () => {
  engine = testEngine([], { gpuDevices: ['cuda:0', 'cuda:1'] });
  await engine.run(graph(['t1:Train{"ms":150}', 't2:Train{"ms":150}', 't3:Train{"ms":150}']));
  expect(overlap(span('t1'), span('t2'))).toBe(true);
  expect(new Set([span('t1').device, span('t2').device])).toEqual(new Set(['cuda:0', 'cuda:1']));
  for (const a of intervals)
    for (const b of intervals) if (a !== b && a.device === b.device) expect(overlap(a, b)).toBe(false);
});

/*
 *   w1(Work) w2(Work) w3(Work) w4(Work)     cpuSlots = 2: never more than two at once
 */
test('CPU nodes never exceed the CPU slots', async () => {
  engine = testEngine([], { cpuSlots: 2 });
  await engine.run(graph(['w1:Work', 'w2:Work', 'w3:Work', 'w4:Work']));
  expect(maxConcurrent(intervals)).toBe(2);
  expect(intervals.length).toBe(4);
});

test('progress carries rate and ETA, metrics are reported as points, and the last progress is always sent', async () => {
  engine = testEngine();
  const { events } = await engine.run(graph(['w:Work{"ms":200}']));
  const progress = events.filter((e) => e.type === 'node.progress');
  expect(progress.at(-1)).toMatchObject({ progress: { value: 5, max: 5, etaSeconds: 0 } });
  expect(progress.some((e) => e.type === 'node.progress' && (e.progress.rate ?? 0) > 0)).toBe(true);
  expect(nodesWith(events, 'node.metrics')).toHaveLength(5);
  const types = events.map((e) => e.type);
  expect(types.lastIndexOf('node.progress')).toBeLessThan(types.indexOf('node.finished'));
});
