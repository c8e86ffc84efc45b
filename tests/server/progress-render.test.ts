import { formatProgressLine, ProgressRenderer } from '../../server/cli/progress';

/** A stand-in for stderr that keeps what the renderer writes (the renderer only calls write). */
function captureStream(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const stream = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

test('the line of a finished node says how long it ran', () => {
  jest.useFakeTimers({ now: 1_000_000 });
  try {
    const { stream, text } = captureStream();
    const bars = new ProgressRenderer((id) => `Train (${id})`, stream, false);
    bars.handle({ type: 'node.started', runId: 'r', nodeId: 'train', at: Date.now() });
    jest.setSystemTime(1_000_000 + 83_000);
    bars.handle({ type: 'node.finished', runId: 'r', nodeId: 'train', outputs: {}, at: Date.now() });
    expect(text()).toMatch(/✓ Train \(train\) 1:23/);
  } finally {
    jest.useRealTimers();
  }
});

test('a node that reports fractional progress (the LoRA check) reads as whole counts on the command line', () => {
  const line = formatProgressLine('LoRA check', { value: 16.666666666666668, max: 120, rate: 2.99, etaSeconds: 20 });
  expect(line).toContain(' 16/120 ');
  expect(line).not.toMatch(/\d\.\d{4,}/);
});
