import { randomUUID } from 'node:crypto';
import type { EngineEnv, NodeWorkerPool, RunOutcome } from '../engine/types';
import { executeWorkflow } from '../engine/executor';
import type { LoraflowDb, StoredRun } from '../db';
import type { RunDetail, RunSummary, ServerMessage } from '../../protocol/messages';
import type { ValidationError } from '../../protocol/validation-types';
import { checkSubmission } from './submission';
import { LiveRun } from './live-run';
import { markInterrupted, ownedByAnotherLiveProcess } from './reclaim';

export type SubmitResult =
  | { ok: true; id: string; warnings: string[] }
  | { ok: false; kind: 'validation'; errors: ValidationError[]; truncated?: boolean }
  | { ok: false; kind: 'bad-request' | 'too-large'; message: string };

export type Listener = (message: ServerMessage) => void;

export interface RunQueueOptions {
  db: LoraflowDb;
  env: EngineEnv;
  pool?: NodeWorkerPool;
  /**
   * The server adopts the database: queued runs are picked up and runs left 'running' by a dead process are
   * marked interrupted. The in-process CLI runs only what it submits, so it never touches a server's runs.
   */
  adoptExisting: boolean;
  /**
   * How many runs may execute at once (asked before each start). Default 1: one run at a time, its branches in
   * parallel. A server with workers runs as many as it has workers, sharing the slots (env.slots) between them.
   */
  concurrency?: () => number;
  /**
   * Runs whose nodes execute on workers outlive this server: on shutdown they stay 'running' (the workers go on)
   * and the next server started on this database takes them over, attaching to the workers' jobs.
   */
  runsOutliveServer?: { detach(): void };
}

interface ActiveRun {
  run: StoredRun;
  live: LiveRun;
  controller: AbortController;
  done: Promise<void>;
  /** The user cancelled it (rather than a stopping server aborting it). */
  cancelled?: boolean;
}

const FINAL_STATUSES = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

/**
 * The run queue: starts workflows in queue order, one at a time by default (the executor runs branches
 * concurrently inside it) or several at once when `concurrency` says so, persists every state change and
 * broadcasts it as ServerMessages. Used by `serve` and by `loraflow run`.
 */
export class RunQueue {
  private readonly queued: string[] = [];
  private readonly active = new Map<string, ActiveRun>();
  private readonly listeners = new Set<Listener>();
  private readonly finishWaiters = new Map<string, ((run: RunSummary) => void)[]>();
  private shuttingDown = false;

  constructor(private readonly opts: RunQueueOptions) {
    if (opts.adoptExisting) this.adopt();
  }

  /** Registers a listener for every message; returns the function that unregisters it. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Checks a workflow and queues it; a graph with errors is refused as a whole with all its errors. */
  submit(input: unknown, targets?: string[]): SubmitResult {
    const checked = checkSubmission(input, targets, this.opts.env.registry.schemas(), this.opts.env.paths);
    if (!checked.ok) return checked;
    const run: StoredRun = {
      id: randomUUID(),
      status: 'queued',
      name: checked.workflow.name || 'untitled',
      createdAt: Date.now(),
      workflow: checked.workflow,
      queuePosition: this.queued.length,
      ownerPid: process.pid,
    };
    if (targets && targets.length > 0) run.targets = targets;
    this.opts.db.runs.insert(run);
    this.enqueue(run.id);
    return { ok: true, id: run.id, warnings: checked.warnings };
  }

  /** Re-queues a finished run; the executor's cache skips the nodes that already finished. */
  resume(id: string): SubmitResult | undefined {
    const run = this.opts.db.runs.get(id);
    if (!run) return undefined;
    if (!FINAL_STATUSES.has(run.status) || run.status === 'succeeded') {
      return {
        ok: false,
        kind: 'bad-request',
        message: `run ${id} is ${run.status}; only interrupted, failed or cancelled runs can be resumed`,
      };
    }
    const checked = checkSubmission(run.workflow, run.targets, this.opts.env.registry.schemas(), this.opts.env.paths);
    if (!checked.ok) return checked;
    this.opts.db.runs.clearNodes(id);
    this.opts.db.runs.update(id, {
      status: 'queued',
      startedAt: undefined,
      finishedAt: undefined,
      error: undefined,
      ownerPid: process.pid,
    });
    this.enqueue(id);
    return { ok: true, id, warnings: checked.warnings };
  }

  /** Cancels a queued run (taken out of the queue) or the running one (its nodes get the abort signal). */
  cancel(id: string): RunSummary | undefined {
    const active = this.active.get(id);
    if (active) {
      active.cancelled = true;
      active.controller.abort();
      return this.summary(id);
    }
    const index = this.queued.indexOf(id);
    if (index >= 0) {
      this.queued.splice(index, 1);
      this.finish(id, 'cancelled');
      this.queueChanged();
    }
    return this.summary(id);
  }

  /** Takes a queued run out of the queue and forgets it; false when it is not queued. */
  remove(id: string): boolean {
    const index = this.queued.indexOf(id);
    if (index < 0) return false;
    this.queued.splice(index, 1);
    this.opts.db.runs.delete(id);
    this.queueChanged();
    return true;
  }

  /** Puts the given queued runs first, in that order; the others keep their relative order after them. */
  reorder(order: string[]): { ok: true } | { ok: false; message: string } {
    const unknown = order.filter((id) => !this.queued.includes(id));
    if (unknown.length > 0) return { ok: false, message: `not in the queue: ${unknown.join(', ')}` };
    const rest = this.queued.filter((id) => !order.includes(id));
    this.queued.splice(0, this.queued.length, ...new Set(order), ...rest);
    this.queueChanged();
    return { ok: true };
  }

  /** Deletes a run from the history with its logs and metrics; refused while it is queued or running. */
  deleteRun(id: string): 'deleted' | 'not-found' | 'active' {
    const run = this.opts.db.runs.get(id);
    if (!run) return 'not-found';
    if (this.active.has(id) || this.queued.includes(id)) return 'active';
    this.opts.db.runs.delete(id);
    return 'deleted';
  }

  /** The run history, newest first. */
  list(limit: number, offset: number): RunSummary[] {
    return this.opts.db.runs.list(limit, offset);
  }

  queue(): RunSummary[] {
    return this.queued.map((id) => this.summary(id)).filter((s): s is RunSummary => s !== undefined);
  }

  summary(id: string): RunSummary | undefined {
    const run = this.opts.db.runs.get(id);
    if (!run) return undefined;
    const { workflow: _workflow, targets: _targets, ...summary } = run;
    return summary;
  }

  /** A run with every node's latest state (live ones from memory, others from the database). */
  detail(id: string): RunDetail | undefined {
    const run = this.opts.db.runs.get(id);
    if (!run) return undefined;
    const { targets: _targets, ...rest } = run;
    const nodes = Object.create(null) as RunDetail['nodes']; // keyed by the workflow's node ids
    for (const [nodeId, { cacheKey: _key, ...state }] of Object.entries(this.opts.db.runs.nodes(id)))
      nodes[nodeId] = state;
    const active = this.active.get(id);
    if (active) {
      for (const [nodeId, { cacheKey: _key, ...state }] of active.live.nodes) nodes[nodeId] = { ...state };
    }
    return { ...rest, nodes };
  }

  /** For each node of the run served from the cache, the run and node that computed it (its curves are theirs). */
  cachedOrigins(id: string): Map<string, { runId: string; nodeId: string }> {
    const out = new Map<string, { runId: string; nodeId: string }>();
    for (const [nodeId, state] of Object.entries(this.opts.db.runs.nodes(id))) {
      if (state.status !== 'cached' || !state.cacheKey) continue;
      const from = this.opts.db.runs.computedBy(state.cacheKey);
      if (from && from.runId !== id) out.set(nodeId, from);
    }
    return out;
  }

  /** What a (re)connecting client needs: the queue and every running run with each node's latest state. */
  snapshot(): Extract<ServerMessage, { type: 'snapshot' }> {
    const running = [...this.active.keys()].map((id) => this.detail(id)).filter((d): d is RunDetail => d !== undefined);
    return { type: 'snapshot', queue: this.queue(), running };
  }

  /** Resolves with the run's summary once it has reached a final state. */
  waitFor(id: string): Promise<RunSummary> {
    const current = this.summary(id);
    if (!current || FINAL_STATUSES.has(current.status)) {
      return current ? Promise.resolve(current) : Promise.reject(new Error(`no run ${id}`));
    }
    return new Promise((resolve) => {
      const list = this.finishWaiters.get(id) ?? [];
      list.push(resolve);
      this.finishWaiters.set(id, list);
    });
  }

  /** Stops taking runs; running ones are aborted and recorded as interrupted (or left to the workers) to resume. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.opts.runsOutliveServer?.detach();
    const active = [...this.active.values()];
    for (const run of active) run.controller.abort();
    await Promise.all(active.map((run) => run.done));
    this.opts.db.telemetry.flush();
  }

  /** Takes over the runs that a stopped loraflow left behind; runs of another live process (a CLI run) stay its own. */
  private adopt(): void {
    const { runs } = this.opts.db;
    for (const run of runs.withStatus('running')) {
      if (ownedByAnotherLiveProcess(run)) continue;
      if (this.opts.runsOutliveServer) {
        // Its device nodes may still be running on workers: run it again first; the executor serves the finished
        // nodes from the cache and attaches to the workers' jobs.
        runs.update(run.id, { status: 'queued', ownerPid: process.pid });
        this.queued.push(run.id);
        continue;
      }
      markInterrupted(
        runs,
        run.id,
        'interrupted: loraflow stopped while this node ran',
        'interrupted: loraflow stopped during this run',
      );
    }
    for (const run of runs.withStatus('queued')) {
      if (ownedByAnotherLiveProcess(run) || this.queued.includes(run.id)) continue;
      runs.update(run.id, { ownerPid: process.pid });
      this.queued.push(run.id);
    }
    runs.setQueuePositions(this.queued);
    setImmediate(() => this.pump());
  }

  private enqueue(id: string): void {
    this.queued.push(id);
    this.opts.db.runs.setQueuePositions(this.queued);
    const summary = this.summary(id);
    if (summary) this.emit({ type: 'run.queued', run: summary });
    this.emit({ type: 'queue.changed', queue: this.queue() });
    this.pump();
  }

  private queueChanged(): void {
    this.opts.db.runs.setQueuePositions(this.queued);
    this.emit({ type: 'queue.changed', queue: this.queue() });
  }

  /** Starts queued runs while the concurrency allows (call it when that may have grown). */
  pump(): void {
    const limit = Math.max(1, Math.floor(this.opts.concurrency?.() ?? 1));
    while (!this.shuttingDown && this.queued.length > 0 && this.active.size < limit) this.startNext();
  }

  private startNext(): void {
    const id = this.queued.shift();
    if (id === undefined) return;
    const run = this.opts.db.runs.get(id);
    if (!run) return;
    const startedAt = Date.now();
    this.opts.db.runs.update(id, { status: 'running', startedAt });
    this.queueChanged();
    const active: ActiveRun = {
      run,
      live: new LiveRun(id),
      controller: new AbortController(),
      done: Promise.resolve(),
    };
    this.active.set(id, active);
    const summary = this.summary(id);
    if (summary) this.emit({ type: 'run.started', run: summary });
    active.done = this.execute(active).then(
      (outcome) => this.complete(active, outcome),
      (err: unknown) =>
        this.complete(active, 'failed', `internal error: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  private execute(active: ActiveRun): Promise<RunOutcome> {
    const { db } = this.opts;
    const runId = active.run.id;
    return executeWorkflow(
      this.opts.env,
      {
        runId,
        workflow: active.run.workflow,
        targets: active.run.targets,
        signal: active.controller.signal,
        onEvent: (event) => {
          const effects = active.live.apply(event, Date.now());
          if (effects.persist) db.runs.saveNode(runId, effects.persist);
          if (effects.log) db.telemetry.log(runId, effects.log);
          if (effects.metric) db.telemetry.metric(runId, effects.metric);
          if (effects.message) this.emit(effects.message);
        },
      },
      this.opts.pool,
    );
  }

  private complete(active: ActiveRun, outcome: RunOutcome, internalError?: string): void {
    this.opts.db.telemetry.flush();
    const runId = active.run.id;
    // Progress and previews are kept in memory while running; store the last ones with each node.
    for (const state of active.live.nodes.values()) {
      if (state.progress || state.lastPreview) this.opts.db.runs.saveNode(runId, state);
    }
    let error = internalError;
    if (outcome === 'failed' && !error) {
      const failed = [...active.live.nodes.values()].find((n) => n.status === 'failed');
      error = failed ? `node ${failed.nodeId} failed: ${failed.error?.message ?? 'unknown error'}` : 'the run failed';
    }
    this.active.delete(runId);
    // The workers go on with it; the next server takes it over (see adopt).
    if (this.shuttingDown && this.opts.runsOutliveServer && !active.cancelled) return;
    const status = outcome === 'cancelled' && this.shuttingDown ? 'interrupted' : outcome;
    this.finish(runId, status, error);
    this.pump();
  }

  private finish(id: string, status: 'succeeded' | 'failed' | 'cancelled' | 'interrupted', error?: string): void {
    // A run that succeeds after a resume must not keep the error of its earlier attempt.
    const fields: Parameters<LoraflowDb['runs']['update']>[1] = {
      status,
      finishedAt: Date.now(),
      queuePosition: undefined,
      error,
    };
    this.opts.db.runs.update(id, fields);
    const run = this.summary(id);
    if (!run) return;
    if (status === 'succeeded') this.emit({ type: 'run.finished', run });
    else if (status === 'failed') this.emit({ type: 'run.failed', run, error: error ?? 'failed' });
    else this.emit({ type: 'run.cancelled', run });
    for (const resolve of this.finishWaiters.get(id) ?? []) resolve(run);
    this.finishWaiters.delete(id);
  }

  private emit(message: ServerMessage): void {
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch {
        // A broken subscriber must never stop the run or the other subscribers.
      }
    }
  }
}
