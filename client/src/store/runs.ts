/**
 * Live state of runs as the server streams it: per-node status, progress, outputs, previews, metric series and
 * logs. A snapshot (sent first on every (re)connect) replaces the live part so that a reload shows runs as they are.
 */
import type { Draft } from 'immer';
import type { MetricPoint, LogEntry } from '../../../protocol/api';
import {
  assertNever,
  type NodeState,
  type RunDetail,
  type RunSummary,
  type ServerMessage,
} from '../../../protocol/messages';
import type { ArtifactRef, CheckpointEvent, SampleEvent } from '../../../protocol/values';
import type { WorkflowFile } from '../../../protocol/workflow';
import { createStore } from './createStore';

export interface SeriesPoint {
  step: number;
  metrics: Record<string, number>;
  /** A checkpoint written at this step: a marker on the chart. */
  checkpoint?: CheckpointEvent;
  /** Sample images drawn at this step. */
  sample?: SampleEvent;
}

export interface RunView {
  summary: RunSummary;
  workflow?: WorkflowFile;
  nodes: Record<string, NodeState>;
  /** Metric points per node in step order (loss, val_loss...; checkpoints and samples at their steps). */
  metrics: Record<string, SeriesPoint[]>;
  previews: Record<string, { image: ArtifactRef; label?: string }[]>;
  logs: Record<string, LogEntry[]>;
}

export interface RunsState {
  runs: Record<string, RunView>;
  queue: RunSummary[];
  history: RunSummary[];
  connected: boolean;
}

export const runsStore = createStore<RunsState>({ runs: {}, queue: [], history: [], connected: false });

const MAX_PREVIEWS = 24;
const MAX_LOGS = 500;

/**
 * A record keyed by node id without Object.prototype behind it: a node may be called "constructor" or "toString"
 * (the server runs it), and in a `{}` record `logs["constructor"]` is Object's constructor, not "no logs yet".
 */
const byNodeId = <T>(from: Record<string, T> = {}): Record<string, T> =>
  Object.assign(Object.create(null) as Record<string, T>, from);

function ensureRun(s: Draft<RunsState>, runId: string): Draft<RunView> {
  let run = s.runs[runId];
  if (!run) {
    run = {
      summary: { id: runId, status: 'running', name: '', createdAt: Date.now() },
      nodes: byNodeId(),
      metrics: byNodeId(),
      previews: byNodeId(),
      logs: byNodeId(),
    };
    s.runs[runId] = run;
  }
  return run;
}

function ensureNode(run: Draft<RunView>, nodeId: string): Draft<NodeState> {
  let node = run.nodes[nodeId];
  if (!node) {
    node = { nodeId, status: 'pending' };
    run.nodes[nodeId] = node;
  }
  return node;
}

const ENDED: ReadonlySet<RunSummary['status']> = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

function upsertSummary(s: Draft<RunsState>, run: RunSummary): void {
  const view = ensureRun(s, run.id);
  view.summary = run;
  // "queued" was the editor's guess at submission; a run that ended without a word about a node never ran it.
  if (ENDED.has(run.status))
    for (const [id, node] of Object.entries(view.nodes)) if (node.status === 'queued') delete view.nodes[id];
  const at = s.history.findIndex((r) => r.id === run.id);
  if (at >= 0) s.history[at] = run;
  else s.history.unshift(run);
  if (run.status !== 'queued') s.queue = s.queue.filter((q) => q.id !== run.id);
}

type StepEvents = Pick<SeriesPoint, 'checkpoint' | 'sample'>;

/**
 * Adds a metric point (with the step's checkpoint or sample event, if any), keeping the series ordered by step:
 * a point for an existing step merges into it, one for an earlier step (an event after that step's loss) goes in
 * its place.
 */
export function addMetricPoint(
  series: SeriesPoint[],
  step: number,
  metrics: Record<string, number>,
  events: StepEvents = {},
): void {
  let at = series.length;
  while (at > 0 && (series[at - 1] as SeriesPoint).step > step) at--;
  const same = series[at - 1];
  const target = same?.step === step ? same : { step, metrics: {} };
  if (target !== same) series.splice(at, 0, target);
  Object.assign(target.metrics, metrics);
  if (events.checkpoint) target.checkpoint = events.checkpoint;
  if (events.sample) target.sample = events.sample;
}

const eventsOf = (p: MetricPoint): StepEvents => ({ checkpoint: p.checkpoint, sample: p.sample });

/**
 * A run the editor just submitted: every planned node shows as queued until the server says otherwise (its messages
 * may already have arrived; what they said is kept). Built here so that its records are null-prototype like every
 * other run's: a run record made with `{}` crashed the canvas for a node called "constructor".
 */
export function showSubmittedRun(runId: string, workflow: WorkflowFile, planned: ReadonlySet<string>): void {
  runsStore.update((s) => {
    const known = s.runs[runId];
    const summary: RunSummary = { id: runId, status: 'queued', name: workflow.name, createdAt: Date.now() };
    const nodes = byNodeId<Draft<NodeState>>();
    for (const n of workflow.nodes)
      if (planned.has(n.id)) nodes[n.id] = known?.nodes[n.id] ?? { nodeId: n.id, status: 'queued' };
    s.runs[runId] = {
      summary: known?.summary ?? summary,
      workflow: workflow as Draft<WorkflowFile>,
      nodes,
      metrics: known?.metrics ?? byNodeId(),
      previews: known?.previews ?? byNodeId(),
      logs: known?.logs ?? byNodeId(),
    };
    if (!s.history.some((r) => r.id === runId)) s.history.unshift(summary);
  });
}

/** Loads a run's detail (from GET /api/runs/:id or a snapshot) into the store. */
export function loadRunDetail(s: Draft<RunsState>, detail: RunDetail): void {
  const run = ensureRun(s, detail.id);
  const { workflow, nodes, ...summary } = detail;
  run.summary = summary;
  run.workflow = workflow as Draft<WorkflowFile>;
  run.nodes = byNodeId(nodes) as Draft<Record<string, NodeState>>;
  for (const n of Object.values(nodes)) {
    if (n.lastPreview && !run.previews[n.nodeId]?.length)
      run.previews[n.nodeId] = [{ image: n.lastPreview as Draft<ArtifactRef> }];
  }
}

/** Replaces a node's metric series with stored points (fetched after a reload). */
export function loadMetrics(runId: string, points: MetricPoint[]): void {
  runsStore.update((s) => {
    const run = ensureRun(s, runId);
    const byNode = byNodeId<SeriesPoint[]>();
    for (const p of [...points].sort((a, b) => a.step - b.step))
      addMetricPoint((byNode[p.nodeId] ??= []), p.step, p.metrics, eventsOf(p));
    for (const [nodeId, series] of Object.entries(byNode)) {
      // Keep live points that arrived after the stored ones.
      const live = run.metrics[nodeId] ?? [];
      const lastStored = series[series.length - 1]?.step ?? -Infinity;
      run.metrics[nodeId] = [...series, ...live.filter((p) => p.step > lastStored)] as Draft<SeriesPoint[]>;
    }
  });
}

/** Replaces a node's logs with the stored ones (fetched after a reload), keeping live lines that came later. */
export function loadLogs(runId: string, entries: LogEntry[]): void {
  runsStore.update((s) => {
    const run = ensureRun(s, runId);
    const byNode = byNodeId<LogEntry[]>();
    for (const e of entries) (byNode[e.nodeId] ??= []).push(e);
    for (const [nodeId, list] of Object.entries(byNode)) {
      const lastStored = list[list.length - 1]?.at ?? -Infinity;
      const live = (run.logs[nodeId] ?? []).filter((l) => l.at > lastStored);
      run.logs[nodeId] = [...list, ...live].slice(-MAX_LOGS) as Draft<LogEntry[]>;
    }
  });
}

/** Applies one server message. */
export function applyServerMessage(s: Draft<RunsState>, m: ServerMessage): void {
  switch (m.type) {
    case 'snapshot':
      s.queue = m.queue;
      for (const detail of m.running) loadRunDetail(s, detail);
      for (const q of m.queue) ensureRun(s, q.id).summary = q;
      return;
    case 'run.queued':
    case 'run.started':
    case 'run.finished':
    case 'run.cancelled':
      upsertSummary(s, m.run);
      if (m.type === 'run.queued' && !s.queue.some((q) => q.id === m.run.id)) s.queue.push(m.run);
      return;
    case 'run.failed':
      upsertSummary(s, { ...m.run, error: m.run.error ?? m.error });
      return;
    case 'queue.changed':
      s.queue = m.queue;
      return;
    case 'node.started': {
      const node = ensureNode(ensureRun(s, m.runId), m.nodeId);
      node.status = 'running';
      node.startedAt = m.at;
      delete node.error;
      return;
    }
    case 'node.progress': {
      const run = ensureRun(s, m.runId);
      const node = ensureNode(run, m.nodeId);
      node.status = 'running';
      node.progress = m.progress;
      return;
    }
    case 'node.metrics': {
      const run = ensureRun(s, m.runId);
      addMetricPoint((run.metrics[m.nodeId] ??= []), m.step, m.metrics);
      return;
    }
    case 'node.preview': {
      const run = ensureRun(s, m.runId);
      ensureNode(run, m.nodeId).lastPreview = m.image;
      const list = (run.previews[m.nodeId] ??= []);
      list.push({ image: m.image, label: m.label });
      if (list.length > MAX_PREVIEWS) list.splice(0, list.length - MAX_PREVIEWS);
      return;
    }
    case 'node.log': {
      const run = ensureRun(s, m.runId);
      const logs = (run.logs[m.nodeId] ??= []);
      logs.push({ nodeId: m.nodeId, level: m.level, message: m.message, at: m.at });
      if (logs.length > MAX_LOGS) logs.splice(0, logs.length - MAX_LOGS);
      return;
    }
    case 'node.checkpoint':
      addMetricPoint((ensureRun(s, m.runId).metrics[m.nodeId] ??= []), m.checkpoint.step, {}, m);
      return;
    case 'node.sample':
      addMetricPoint((ensureRun(s, m.runId).metrics[m.nodeId] ??= []), m.sample.step, {}, m);
      return;
    case 'node.cached':
    case 'node.finished': {
      const node = ensureNode(ensureRun(s, m.runId), m.nodeId);
      node.status = m.type === 'node.cached' ? 'cached' : 'succeeded';
      node.outputs = m.outputs;
      if (m.type === 'node.finished') node.finishedAt = m.at;
      return;
    }
    case 'node.failed': {
      const node = ensureNode(ensureRun(s, m.runId), m.nodeId);
      node.status = 'failed';
      node.error = m.error;
      node.finishedAt = m.at;
      return;
    }
    case 'node.cancelled':
      ensureNode(ensureRun(s, m.runId), m.nodeId).status = 'cancelled';
      return;
    case 'node.skipped': {
      const node = ensureNode(ensureRun(s, m.runId), m.nodeId);
      node.status = 'skipped';
      node.error = { message: m.reason };
      return;
    }
    default:
      assertNever(m);
  }
}

/** Applies a message to the shared runs store. */
export function receive(m: ServerMessage): void {
  runsStore.update((s) => applyServerMessage(s, m));
}
