/**
 * Live charts get every point from `node.metrics` messages, but a slow client may have some of them dropped and a
 * reloaded page starts with none: the stored series come from the REST API after a (re)connect and when a node ends.
 */
import type { ServerMessage } from '../../../protocol/messages';
import { loadMetrics, runsStore } from '../store/runs';
import { api } from './http';

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
