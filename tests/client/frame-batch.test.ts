/**
 * Streaming run state reaches the store in batches: a burst of WebSocket messages becomes one store update in an
 * animation frame, at most ten a second, with nothing lost or reordered, and a tab without animation frames (in
 * the background) still gets its messages.
 */
import { batchPerFrame } from '../../client/src/api/frameBatch';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('batching streamed messages per animation frame', () => {
  it('applies a burst of 100 messages as one call, in order, in the next frame', () => {
    const calls: number[][] = [];
    const batch = batchPerFrame<number>((items) => calls.push(items));
    for (let i = 0; i < 100; i++) batch.push(i);
    expect(calls).toHaveLength(0);
    jest.advanceTimersByTime(20);
    expect(calls).toEqual([Array.from({ length: 100 }, (_, i) => i)]);
  });

  it('applies a steady stream of 500 messages a second at most about ten times a second, losing none', () => {
    const calls: number[][] = [];
    const batch = batchPerFrame<number>((items) => calls.push(items));
    for (let i = 0; i < 500; i++) {
      batch.push(i);
      jest.advanceTimersByTime(2);
    }
    jest.advanceTimersByTime(200);
    expect(calls.length).toBeGreaterThanOrEqual(8);
    expect(calls.length).toBeLessThanOrEqual(11);
    expect(calls.flat()).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('spaces the calls further while the caller says a drag is under way', () => {
    let dragging = true;
    const calls: number[][] = [];
    const batch = batchPerFrame<number>(
      (items) => calls.push(items),
      () => (dragging ? 250 : 100),
    );
    for (let i = 0; i < 500; i++) {
      batch.push(i);
      jest.advanceTimersByTime(2);
    }
    expect(calls.length).toBeLessThanOrEqual(5);
    dragging = false;
    for (let i = 500; i < 1000; i++) {
      batch.push(i);
      jest.advanceTimersByTime(2);
    }
    jest.advanceTimersByTime(300);
    expect(calls.length).toBeGreaterThanOrEqual(12);
    expect(calls.flat()).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('still applies messages when the tab gets no animation frames', () => {
    const calls: string[][] = [];
    const raf = jest.spyOn(window, 'requestAnimationFrame').mockImplementation(() => 0);
    const batch = batchPerFrame<string>((items) => calls.push(items));
    batch.push('node.finished');
    jest.advanceTimersByTime(400);
    expect(calls).toEqual([['node.finished']]);
    raf.mockRestore();
  });

  it('flush applies what is pending at once, and nothing twice', () => {
    const calls: string[][] = [];
    const batch = batchPerFrame<string>((items) => calls.push(items));
    batch.push('node.progress');
    batch.push('snapshot');
    batch.flush();
    expect(calls).toEqual([['node.progress', 'snapshot']]);
    jest.advanceTimersByTime(1000);
    expect(calls).toHaveLength(1);
  });
});
