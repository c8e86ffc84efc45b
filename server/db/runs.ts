import type Database from 'better-sqlite3';
import type { NodeError, NodeProgress, NodeState, NodeStatus, RunStatus, RunSummary } from '../../protocol/messages';
import type { NodeOutputs, ArtifactRef } from '../../protocol/values';
import type { WorkflowFile } from '../../protocol/workflow';

export interface StoredRun extends RunSummary {
  workflow: WorkflowFile;
  targets?: string[];
  /** The process that queued or runs it. */
  ownerPid?: number;
}

export interface StoredNodeState extends NodeState {
  cacheKey?: string;
}

/** The run history and each run's per-node states. */
export interface RunStore {
  insert(run: StoredRun): void;
  get(id: string): StoredRun | undefined;
  /** History, newest first. */
  list(limit: number, offset: number): RunSummary[];
  withStatus(status: RunStatus): StoredRun[];
  update(
    id: string,
    fields: Partial<Pick<StoredRun, 'status' | 'startedAt' | 'finishedAt' | 'error' | 'queuePosition' | 'ownerPid'>>,
  ): void;
  setQueuePositions(ids: string[]): void;
  delete(id: string): void;
  /** Stores a node's state; written with the others of the same event-loop turn, in one transaction. */
  saveNode(runId: string, state: StoredNodeState): void;
  nodes(runId: string): Record<string, StoredNodeState>;
  clearNodes(runId: string): void;
  /** The latest run whose node computed (rather than took from the cache) the result with this cache key. */
  computedBy(cacheKey: string): { runId: string; nodeId: string } | undefined;
  /** Writes the node states saved since the last write (reads and close do it first). */
  flush(): void;
}

interface RunRow {
  id: string;
  name: string;
  status: RunStatus;
  workflow: string;
  targets: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
  queue_position: number | null;
  owner_pid: number | null;
}

interface NodeRow {
  node_id: string;
  status: NodeStatus;
  cache_key: string | null;
  outputs: string | null;
  error: string | null;
  progress: string | null;
  started_at: number | null;
  finished_at: number | null;
}

const SUMMARY_COLUMNS = 'id, name, status, created_at, started_at, finished_at, error, queue_position';

function parseJson<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

function toSummary(row: Omit<RunRow, 'workflow' | 'targets' | 'owner_pid'>): RunSummary {
  const summary: RunSummary = { id: row.id, status: row.status, name: row.name, createdAt: row.created_at };
  if (row.started_at !== null) summary.startedAt = row.started_at;
  if (row.finished_at !== null) summary.finishedAt = row.finished_at;
  if (row.error !== null) summary.error = row.error;
  if (row.queue_position !== null && row.status === 'queued') summary.queuePosition = row.queue_position;
  return summary;
}

function toRun(row: RunRow): StoredRun {
  const run: StoredRun = { ...toSummary(row), workflow: JSON.parse(row.workflow) as WorkflowFile };
  if (row.owner_pid !== null) run.ownerPid = row.owner_pid;
  const targets = parseJson<string[]>(row.targets);
  if (targets) run.targets = targets;
  return run;
}

function toNodeState(row: NodeRow): StoredNodeState {
  const state: StoredNodeState = { nodeId: row.node_id, status: row.status };
  if (row.cache_key !== null) state.cacheKey = row.cache_key;
  const outputs = parseJson<NodeOutputs>(row.outputs);
  if (outputs) state.outputs = outputs;
  const error = parseJson<NodeError>(row.error);
  if (error) state.error = error;
  const progress = parseJson<NodeProgress & { lastPreview?: ArtifactRef }>(row.progress);
  if (progress) {
    const { lastPreview, ...rest } = progress;
    if (rest.max !== undefined) state.progress = rest;
    if (lastPreview) state.lastPreview = lastPreview;
  }
  if (row.started_at !== null) state.startedAt = row.started_at;
  if (row.finished_at !== null) state.finishedAt = row.finished_at;
  return state;
}

/** Creates the run store over `db` (prepared statements, prepared once). */
export function createRunStore(db: Database.Database): RunStore {
  const insertRun = db.prepare(
    'INSERT INTO runs (id, name, status, workflow, targets, created_at, queue_position, owner_pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const selectRun = db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?');
  const selectPage = db.prepare<[number, number], RunRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
  );
  const selectByStatus = db.prepare<[string], RunRow>(
    'SELECT * FROM runs WHERE status = ? ORDER BY queue_position, created_at',
  );
  const setPosition = db.prepare<[number, string]>('UPDATE runs SET queue_position = ? WHERE id = ?');
  const deleteRun = db.prepare<[string]>('DELETE FROM runs WHERE id = ?');
  const upsertNode = db.prepare(
    `INSERT INTO node_states (run_id, node_id, status, cache_key, outputs, error, progress, started_at, finished_at)
     VALUES (@runId, @nodeId, @status, @cacheKey, @outputs, @error, @progress, @startedAt, @finishedAt)
     ON CONFLICT (run_id, node_id) DO UPDATE SET status = excluded.status, cache_key = excluded.cache_key,
       outputs = excluded.outputs, error = excluded.error, progress = excluded.progress,
       started_at = excluded.started_at, finished_at = excluded.finished_at`,
  );
  const selectNodes = db.prepare<[string], NodeRow>('SELECT * FROM node_states WHERE run_id = ?');
  const deleteNodes = db.prepare<[string]>('DELETE FROM node_states WHERE run_id = ?');
  const selectComputer = db.prepare<[string], { run_id: string; node_id: string }>(
    "SELECT run_id, node_id FROM node_states WHERE cache_key = ? AND status = 'succeeded' ORDER BY finished_at DESC LIMIT 1",
  );
  const columns: Record<string, string> = {
    status: 'status',
    startedAt: 'started_at',
    finishedAt: 'finished_at',
    error: 'error',
    queuePosition: 'queue_position',
    ownerPid: 'owner_pid',
  };
  const updates = new Map<string, Database.Statement>();

  // A 10,000-node run saves 20,000 node states; one SQLite commit each held the event loop for seconds. They are
  // kept until the end of the event-loop turn and written in one transaction (the newest state of a node wins).
  const pending = new Map<string, { runId: string; state: StoredNodeState }>();
  let scheduled = false;
  const writePending = db.transaction(() => {
    for (const { runId, state: s } of pending.values()) {
      const progress =
        s.progress || s.lastPreview ? JSON.stringify({ ...s.progress, lastPreview: s.lastPreview }) : null;
      const row = {
        runId,
        nodeId: s.nodeId,
        status: s.status,
        cacheKey: s.cacheKey ?? null,
        outputs: s.outputs ? JSON.stringify(s.outputs) : null,
        error: s.error ? JSON.stringify(s.error) : null,
        progress,
        startedAt: s.startedAt ?? null,
        finishedAt: s.finishedAt ?? null,
      };
      try {
        upsertNode.run(row);
      } catch {
        // The run was deleted since (a foreign key): its node states have nowhere to go.
      }
    }
  });
  const flush = (): void => {
    scheduled = false;
    if (pending.size === 0 || !db.open) return;
    try {
      writePending();
    } finally {
      pending.clear();
    }
  };

  return {
    insert(run) {
      insertRun.run(
        run.id,
        run.name,
        run.status,
        JSON.stringify(run.workflow),
        run.targets ? JSON.stringify(run.targets) : null,
        run.createdAt,
        run.queuePosition ?? null,
        run.ownerPid ?? null,
      );
    },
    get(id) {
      const row = selectRun.get(id);
      return row ? toRun(row) : undefined;
    },
    list(limit, offset) {
      return selectPage.all(limit, offset).map(toSummary);
    },
    withStatus(status) {
      return selectByStatus.all(status).map(toRun);
    },
    update(id, fields) {
      const keys = Object.keys(fields)
        .filter((k) => k in columns)
        .sort();
      if (keys.length === 0) return;
      const sqlKey = keys.join(',');
      let stmt = updates.get(sqlKey);
      if (!stmt) {
        stmt = db.prepare(`UPDATE runs SET ${keys.map((k) => `${columns[k]} = ?`).join(', ')} WHERE id = ?`);
        updates.set(sqlKey, stmt);
      }
      const values = keys.map((k) => (fields as Record<string, unknown>)[k] ?? null);
      stmt.run(...values, id);
    },
    setQueuePositions: db.transaction((ids: string[]) => {
      ids.forEach((id, i) => setPosition.run(i, id));
    }),
    delete(id) {
      flush();
      deleteRun.run(id);
    },
    saveNode(runId, s) {
      pending.set(`${runId}\u0000${s.nodeId}`, { runId, state: { ...s } });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    nodes(runId) {
      flush();
      const out = Object.create(null) as Record<string, StoredNodeState>; // keyed by the workflow's node ids
      for (const row of selectNodes.all(runId)) out[row.node_id] = toNodeState(row);
      return out;
    },
    clearNodes(runId) {
      flush();
      deleteNodes.run(runId);
    },
    computedBy(cacheKey) {
      flush();
      const row = selectComputer.get(cacheKey);
      return row ? { runId: row.run_id, nodeId: row.node_id } : undefined;
    },
    flush,
  };
}
