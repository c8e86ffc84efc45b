/**
 * The server throttles progress messages, so a live chart sees only some metric points (a `val_loss` or
 * `checkpoint` reported on one step may be among those dropped). Every stored point comes from the REST API:
 * fetched now and then for runs a tab shows while they run, and once more when a node ends.
 */
import type { ServerMessage } from '../../../protocol/messages';
import { editorStore } from '../store/editor';
import { loadMetrics, runsStore } from '../store/runs';
import { api } from './http';

const INTERVAL_MS = 4000;
const inFlight = new Set<string>();

/** Fetches a run's stored metric points into the store (one request per run at a time). */
export function syncMetrics(runId: string): void {
  if (inFlight.has(runId)) return;
  inFlight.add(runId);
  api.metrics(runId).then(
    (points) => (inFlight.delete(runId), loadMetrics(runId, points)),
    () => inFlight.delete(runId),
  );
}

/** Syncs when a node that reported metrics ends. */
export function syncOnMessage(m: ServerMessage): void {
  if (m.type !== 'node.finished' && m.type !== 'node.failed' && m.type !== 'node.cancelled') return;
  if (runsStore.get().runs[m.runId]?.metrics[m.nodeId]?.length) syncMetrics(m.runId);
}

/** Starts the periodic sync of running runs that a tab shows; returns its stop. */
export function startMetricsSync(): () => void {
  const timer = setInterval(() => {
    const s = editorStore.get();
    const runs = runsStore.get().runs;
    for (const id of s.order) {
      const runId = s.tabs[id]?.runId;
      if (runId && runs[runId]?.summary.status === 'running') syncMetrics(runId);
    }
  }, INTERVAL_MS);
  return () => clearInterval(timer);
}
