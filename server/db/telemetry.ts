import type Database from 'better-sqlite3';
import type { LogEntry, MetricPoint } from '../../protocol/api';
import type { LogLevel } from '../../protocol/messages';
import type { Metrics } from '../../protocol/values';

/**
 * Logs and metrics of running nodes. A training node reports thousands of steps, so rows are buffered and
 * written in one transaction per batch rather than one fsync per step.
 */
export interface TelemetryStore {
  log(runId: string, entry: LogEntry): void;
  metric(runId: string, point: MetricPoint): void;
  /** Writes everything buffered; called on a timer, at node and run ends, and on close. */
  flush(): void;
  logs(runId: string, nodeId?: string): LogEntry[];
  metrics(runId: string, nodeId?: string): MetricPoint[];
}

const MAX_BUFFERED = 500;
const FLUSH_AFTER_MS = 250;

interface LogRow {
  node_id: string;
  level: LogLevel;
  message: string;
  at: number;
}
interface MetricRow {
  node_id: string;
  step: number;
  at: number;
  metrics: string;
  event: string | null;
}

/** A point's checkpoint or sample event, as the `event` column stores it. */
type StoredEvent = Pick<MetricPoint, 'checkpoint' | 'sample'>;

function eventOf(point: MetricPoint): string | null {
  if (point.checkpoint) return JSON.stringify({ checkpoint: point.checkpoint } satisfies StoredEvent);
  if (point.sample) return JSON.stringify({ sample: point.sample } satisfies StoredEvent);
  return null;
}

/** Creates the buffered logs/metrics store over `db`. */
export function createTelemetryStore(db: Database.Database): TelemetryStore {
  const insertLog = db.prepare('INSERT INTO logs (run_id, node_id, level, message, at) VALUES (?, ?, ?, ?, ?)');
  const insertMetric = db.prepare(
    'INSERT INTO metrics (run_id, node_id, step, at, metrics, event) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const logsOfRun = db.prepare<[string], LogRow>(
    'SELECT node_id, level, message, at FROM logs WHERE run_id = ? ORDER BY id',
  );
  const logsOfNode = db.prepare<[string, string], LogRow>(
    'SELECT node_id, level, message, at FROM logs WHERE run_id = ? AND node_id = ? ORDER BY id',
  );
  const metricsOfRun = db.prepare<[string], MetricRow>(
    'SELECT node_id, step, at, metrics, event FROM metrics WHERE run_id = ? ORDER BY id',
  );
  const metricsOfNode = db.prepare<[string, string], MetricRow>(
    'SELECT node_id, step, at, metrics, event FROM metrics WHERE run_id = ? AND node_id = ? ORDER BY id',
  );

  let pendingLogs: [string, LogEntry][] = [];
  let pendingMetrics: [string, MetricPoint][] = [];
  let timer: NodeJS.Timeout | undefined;

  const writeBatch = db.transaction((logs: [string, LogEntry][], metrics: [string, MetricPoint][]) => {
    for (const [runId, e] of logs) insertLog.run(runId, e.nodeId, e.level, e.message, e.at);
    for (const [runId, m] of metrics)
      insertMetric.run(runId, m.nodeId, m.step, m.at, JSON.stringify(m.metrics), eventOf(m));
  });

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pendingLogs.length === 0 && pendingMetrics.length === 0) return;
    const logs = pendingLogs;
    const metrics = pendingMetrics;
    pendingLogs = [];
    pendingMetrics = [];
    try {
      writeBatch(logs, metrics);
    } catch (err) {
      // The run may have been deleted meanwhile (foreign key): its telemetry goes with it.
      if (!String(err).includes('FOREIGN KEY')) throw err;
    }
  }

  function schedule(): void {
    if (pendingLogs.length + pendingMetrics.length >= MAX_BUFFERED) flush();
    else if (!timer) {
      timer = setTimeout(flush, FLUSH_AFTER_MS);
      timer.unref();
    }
  }

  return {
    log(runId, entry) {
      pendingLogs.push([runId, entry]);
      schedule();
    },
    metric(runId, point) {
      pendingMetrics.push([runId, point]);
      schedule();
    },
    flush,
    logs(runId, nodeId) {
      flush();
      const rows = nodeId ? logsOfNode.all(runId, nodeId) : logsOfRun.all(runId);
      return rows.map((r) => ({ nodeId: r.node_id, level: r.level, message: r.message, at: r.at }));
    },
    metrics(runId, nodeId) {
      flush();
      const rows = nodeId ? metricsOfNode.all(runId, nodeId) : metricsOfRun.all(runId);
      return rows.map((r) => ({
        nodeId: r.node_id,
        step: r.step,
        at: r.at,
        metrics: JSON.parse(r.metrics) as Metrics,
        ...(r.event ? (JSON.parse(r.event) as StoredEvent) : {}),
      }));
    },
  };
}
