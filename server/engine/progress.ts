/**
 * Progress reporting for one running node: throttled to at most one event per `intervalMs` (the latest value is
 * always sent in the end), with a rate and an ETA estimated from the recent history, and every report with
 * metrics passed on unthrottled as a metrics point (loss curves want every step). A report of a new phase (another
 * label) is sent at once and starts the rate afresh, so that each phase the node names is shown, in order.
 */
import type { NodeProgress } from '../../protocol/messages';
import type { Metrics } from '../../protocol/values';

export interface ProgressSink {
  progress(progress: NodeProgress): void;
  metrics(step: number, metrics: Metrics, at: number): void;
}

const WINDOW_MS = 30_000;
/** No rate (nor ETA) until this much of the node's work has been seen. */
const MIN_RATE_WINDOW_S = 0.1;

export interface ProgressThrottle {
  report(value: number, max: number, metrics?: Metrics, label?: string): void;
  /** Sends the pending report, if any, and stops the timer; call when the node ends (later reports are dropped). */
  flush(): void;
}

/** Creates the throttle of one node's progress. */
export function createProgressThrottle(
  sink: ProgressSink,
  intervalMs = 100,
  now: () => number = Date.now,
): ProgressThrottle {
  const history: { t: number; v: number }[] = [];
  let lastSent = -Infinity;
  let pending: NodeProgress | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let phase: string | undefined;

  const send = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!pending) return;
    lastSent = now();
    const p = pending;
    pending = undefined;
    sink.progress(p);
  };

  const estimate = (t: number, value: number, max: number): Pick<NodeProgress, 'rate' | 'etaSeconds'> => {
    const last = history[history.length - 1];
    if (last && value < last.v) history.length = 0; // restarted (e.g. a second phase): old rate is meaningless
    // Steps reported together (a trainer's batch of steps, a resumed node's first report) count as one point:
    // spread over a millisecond they would read as thousands of steps per second.
    if (last && history.length > 0 && t === last.t) history[history.length - 1] = { t, v: value };
    else history.push({ t, v: value });
    while (history.length > 2 && t - history[0]!.t > WINDOW_MS) history.shift();
    const first = history[0]!;
    const dt = (t - first.t) / 1000;
    const done = max > 0 && value >= max;
    if (dt < MIN_RATE_WINDOW_S || value <= first.v) return done ? { etaSeconds: 0 } : {};
    const rate = (value - first.v) / dt;
    return { rate, etaSeconds: Math.max(0, (max - value) / rate) };
  };

  return {
    report(value, max, metrics, label) {
      if (closed) return; // a report after the node ended would arrive after its final state
      const t = now();
      const newPhase = label !== phase;
      if (newPhase) history.length = 0;
      phase = label;
      pending = {
        value,
        max,
        ...(metrics ? { metrics } : {}),
        ...(label ? { label } : {}),
        ...estimate(t, value, max),
      };
      if (metrics) sink.metrics(value, metrics, t);
      if (newPhase || t - lastSent >= intervalMs || value >= max) send();
      else timer ??= setTimeout(send, intervalMs - (t - lastSent));
    },
    flush() {
      send();
      closed = true;
    },
  };
}
