/**
 * Live charts get every point from `node.metrics` messages, but a slow client may have some of them dropped and a
 * reloaded page starts with none: the stored series come from the REST API after a (re)connect and when a node ends.
 * A node served from the cache measures nothing in this run: its curves are those of the run that computed it,
 * which the server gives under this run (its log lines the server replays on the WebSocket).
 */
import type { ServerMessage } from '../../../protocol/messages';
import { loadLogs, loadMetrics, runsStore } from '../store/runs';
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

/** Fetches what a cached node measured when it was computed (this node only: others may be cached later). */
function syncCachedNode(runId: string, nodeId: string): void {
  api.metrics(runId, nodeId).then(
    (points) => loadMetrics(runId, points),
    () => undefined,
  );
}

/**
 * Fetches a live run's stored log lines into the store: a reloaded page gets a running run's node states from the
 * snapshot, but its warnings only from the logs, which the snapshot does not carry (QA S6-F20).
 */
export function syncLogs(runId: string): void {
  api.logs(runId).then(
    (entries) => loadLogs(runId, entries),
    () => undefined,
  );
}

/** Syncs when a node that reported metrics ends, and when a node is served from the cache. */
export function syncOnMessage(m: ServerMessage): void {
  if (m.type === 'node.cached') return syncCachedNode(m.runId, m.nodeId);
  if (m.type !== 'node.finished' && m.type !== 'node.failed' && m.type !== 'node.cancelled') return;
  if (runsStore.get().runs[m.runId]?.metrics[m.nodeId]?.length) syncMetrics(m.runId);
}
