/**
 * The executor: runs one workflow. Step 1 plans the needed nodes (plan.ts), step 2 computes cache keys
 * (keys.ts), step 3 serves hits from the cache and hands the misses to the worker pool as soon as their inputs
 * are ready and a resource slot is free. It validates nothing: the caller did (protocol/validate.ts).
 */
import { isArtifactRef, type JsonValue, type Metrics, type NodeOutputs } from '../../protocol/values';
import type { Inputs, ArtifactStore } from '../../nodes/api';
import { inputsKeyOf } from './cache-key';
import { describeNodeError } from './hints';
import { computeKeys, type NodeKey } from './keys';
import { createLocalPool } from './local-pool';
import { planRun, type Plan, type PlannedNode } from './plan';
import { applyWiredParams } from './wired-params';
import { createProgressThrottle, type ProgressThrottle } from './progress';
import { createSlots, type Resource } from './slots';
import { assertNever } from '../../protocol/messages';
import type { CachedLogLine, EngineEnv, ExecuteOptions, NodeTaskReport, NodeWorkerPool, RunOutcome } from './types';

type Status = 'waiting' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

/** Whether every artifact a cached output refers to is still on disk (else the node must run again). */
function artifactsPresent(value: JsonValue, store: ArtifactStore): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (isArtifactRef(value)) return store.has(value);
  const items = Array.isArray(value) ? value : Object.values(value);
  return items.every((v) => artifactsPresent(v, store));
}

function cachedOutputs(env: EngineEnv, key: NodeKey, p: PlannedNode): NodeOutputs | undefined {
  if (!key.ok) return undefined;
  const outputs = env.cache.get(key.key);
  if (!outputs || !artifactsPresent(outputs, env.artifacts)) return undefined;
  return p.def?.cacheStillValid?.(outputs) === false ? undefined : outputs;
}

/**
 * Info lines kept with a cached result: the last ones (a training's diagnosis comes last); warnings all. Each is
 * cut to a length a log panel shows, so that a chatty node does not bloat the cache.
 */
const CACHED_INFO_LINES = 200;
const CACHED_LINE_CHARS = 2000;

function keepLine(kept: CachedLogLine[], line: CachedLogLine): void {
  kept.push({ level: line.level, message: line.message.slice(0, CACHED_LINE_CHARS) });
  if (line.level !== 'info' || kept.filter((l) => l.level === 'info').length <= CACHED_INFO_LINES) return;
  kept.splice(
    kept.findIndex((l) => l.level === 'info'),
    1,
  );
}

function gatherInputs(p: PlannedNode, outputs: (NodeOutputs | undefined)[]): Inputs {
  const inputs: Inputs = {};
  for (const input of p.inputs) {
    const values = input.sources.map((s) => outputs[s.from]?.[s.socket]);
    inputs[input.socket] = input.list ? values.filter((v): v is JsonValue => v !== undefined) : values[0];
  }
  return inputs;
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || e.message === 'cancelled');
}

/** Executes the workflow's needed nodes and reports every node's fate through opts.onEvent. */
export async function executeWorkflow(
  env: EngineEnv,
  opts: ExecuteOptions,
  pool: NodeWorkerPool = createLocalPool(env),
): Promise<RunOutcome> {
  const { onEvent: emit, signal, runId } = opts;
  const plan = planRun(opts.workflow, env.registry, opts.targets);
  const keys = await computeKeys(plan, env.paths, runId, env.loraFolders);
  const n = plan.nodes.length;
  const status: Status[] = new Array<Status>(n).fill('waiting');
  const outputs: (NodeOutputs | undefined)[] = new Array<NodeOutputs | undefined>(n);
  let failed = false;

  /** Skips everything downstream of node i (iteratively: a failure at the top of a long chain). */
  const skipDependents = (i: number, reason: string) => {
    const stack = [...plan.nodes[i]!.dependents];
    while (stack.length > 0) {
      const d = stack.pop()!;
      if (status[d] !== 'waiting') continue;
      status[d] = 'skipped';
      emit({ type: 'node.skipped', nodeId: plan.nodes[d]!.id, reason });
      stack.push(...plan.nodes[d]!.dependents);
    }
  };

  // Cache hits are done before anything runs; nodes whose key could not be computed fail here.
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    const p = plan.nodes[i]!;
    if (!key.ok) {
      if (key.upstream !== undefined || status[i] !== 'waiting') continue; // skipped with its failed ancestor
      status[i] = 'failed';
      failed = true;
      emit({ type: 'node.failed', nodeId: p.id, error: key.error, at: Date.now() });
      skipDependents(i, `"${p.id}" failed`);
      continue;
    }
    const hit = cachedOutputs(env, key, p);
    if (hit) {
      status[i] = 'done';
      outputs[i] = hit;
      emit({ type: 'node.cached', nodeId: p.id, outputs: hit, cacheKey: key.key });
      // What the node said computing the result (skipped files, the loss diagnosis) lives in the logs of that
      // run; this run shows it again, so a cached rerun reads like the run that computed it.
      for (const { level, message } of env.cache.log(key.key))
        emit({ type: 'node.log', nodeId: p.id, level, message, at: Date.now() });
    }
  }
  const toRun = requiredMisses(plan, status);
  for (let i = 0; i < n; i++) {
    if (status[i] === 'waiting' && !toRun[i]) {
      status[i] = 'skipped';
      emit({
        type: 'node.skipped',
        nodeId: plan.nodes[i]!.id,
        reason: 'not needed: the nodes that use it are cached or cannot run',
      });
    }
  }
  const outcome = await runMisses(env, opts, pool, plan, keys, status, outputs, skipDependents);
  if (signal.aborted) return 'cancelled';
  return failed || outcome === 'failed' ? 'failed' : 'succeeded';
}

/** Marks the misses that must run: targets, and whatever a miss that must run reads from. */
function requiredMisses(plan: Plan, status: Status[]): boolean[] {
  const required = new Array<boolean>(plan.nodes.length).fill(false);
  for (let i = plan.nodes.length - 1; i >= 0; i--) {
    const wanted = plan.targets.has(i) || plan.nodes[i]!.dependents.some((d) => required[d] && status[d] === 'waiting');
    required[i] = wanted && status[i] === 'waiting';
  }
  return required;
}

/** How long nodes may start and finish back to back before the executor lets timers and I/O have a turn. */
const SLICE_MS = 10;
let sliceStart = performance.now();

/**
 * Resolves at once while the current slice is short, else after the event loop has had a turn. Quick nodes
 * resolve as microtasks, so without this a run of thousands of them would hold the loop (REST, the WebSocket,
 * cancel) until the whole run was over.
 */
function yieldIfBusy(): Promise<void> {
  if (performance.now() - sliceStart < SLICE_MS) return Promise.resolve();
  return new Promise((resolve) =>
    setImmediate(() => {
      sliceStart = performance.now();
      resolve();
    }),
  );
}

function runMisses(
  env: EngineEnv,
  opts: ExecuteOptions,
  pool: NodeWorkerPool,
  plan: Plan,
  keys: NodeKey[],
  status: Status[],
  outputs: (NodeOutputs | undefined)[],
  skipDependents: (i: number, reason: string) => void,
): Promise<'succeeded' | 'failed'> {
  const { onEvent: emit, signal, runId } = opts;
  const slots = env.slots ?? createSlots(env.cpuSlots, env.gpuDevices);
  const ready: Record<Resource, number[]> = { cpu: [], gpu: [] };
  const head: Record<Resource, number> = { cpu: 0, gpu: 0 };
  const missingDeps = plan.nodes.map((p) => p.deps.filter((d) => status[d] !== 'done').length);
  let running = 0;
  let failed = false;
  let finish: (outcome: 'succeeded' | 'failed') => void = () => {};
  const done = new Promise<'succeeded' | 'failed'>((resolve) => (finish = resolve));
  const resourceOf = (i: number): Resource => plan.nodes[i]!.def!.schema.resource;

  const settleIfIdle = () => {
    if (running === 0 && (signal.aborted || (head.cpu === ready.cpu.length && head.gpu === ready.gpu.length)))
      finish(failed ? 'failed' : 'succeeded');
  };
  const onAbort = () => {
    for (let i = 0; i < plan.nodes.length; i++) {
      if (status[i] !== 'waiting') continue;
      status[i] = 'skipped';
      emit({ type: 'node.skipped', nodeId: plan.nodes[i]!.id, reason: 'run cancelled' });
    }
    settleIfIdle();
  };

  const start = (i: number, device: string) => {
    const p = plan.nodes[i]!;
    const key = keys[i] as Extract<NodeKey, { ok: true }>;
    const resource = resourceOf(i);
    status[i] = 'running';
    running++;
    let wired: ReturnType<typeof applyWiredParams>;
    try {
      // Wired parameter values are known only now; they get the checks typed ones got before the run.
      wired = applyWiredParams(p.def!.schema, p.node, key.params, gatherInputs(p, outputs), env.paths);
    } catch (e) {
      return failNode(i, e, resource, device);
    }
    emit({ type: 'node.started', nodeId: p.id, at: Date.now(), cacheKey: key.key });
    // Created on the first report: most quick nodes report no progress at all.
    let progress: ProgressThrottle | undefined;
    let reportsClosed = false;
    const logged: CachedLogLine[] = [];
    const throttle = {
      report(value: number, max: number, metrics?: Metrics, label?: string) {
        if (reportsClosed) return;
        progress ??= createProgressThrottle({
          progress: (update) => emit({ type: 'node.progress', nodeId: p.id, progress: update }),
          metrics: (step, values, at) => emit({ type: 'node.metrics', nodeId: p.id, step, metrics: values, at }),
        });
        progress.report(value, max, metrics, label);
      },
      flush() {
        reportsClosed = true;
        progress?.flush();
      },
    };
    const report: NodeTaskReport = (e) => {
      switch (e.type) {
        case 'progress':
          return throttle.report(e.value, e.max, e.metrics, e.label);
        case 'preview':
          return emit({ type: 'node.preview', nodeId: p.id, image: e.image, label: e.label });
        case 'log':
          if (e.level === 'warn' || e.level === 'info') keepLine(logged, { level: e.level, message: e.message });
          return emit({ type: 'node.log', nodeId: p.id, level: e.level, message: e.message, at: Date.now() });
        case 'checkpoint':
          return emit({ type: 'node.checkpoint', nodeId: p.id, checkpoint: e.checkpoint, at: Date.now() });
        case 'sample':
          return emit({ type: 'node.sample', nodeId: p.id, sample: e.sample, at: Date.now() });
        default:
          return assertNever(e);
      }
    };
    const task = {
      runId,
      nodeId: p.id,
      type: p.node.type,
      params: wired.params,
      inputs: wired.inputs,
      cacheKey: key.key,
      inputsKey: inputsKeyOf(key.inputs),
      device,
      workflow: opts.workflow,
    };
    const result = yieldIfBusy().then(() => pool.run(task, report, signal));
    result.then(
      (out) => {
        throttle.flush();
        if (typeof out !== 'object' || out === null || Array.isArray(out)) {
          return failNode(
            i,
            new Error(
              `node type "${p.node.type}" returned ${Array.isArray(out) ? 'an array' : String(out)} instead of its outputs (an object)`,
            ),
            resource,
            device,
          );
        }
        outputs[i] = out;
        status[i] = 'done';
        try {
          env.cache.put(key.key, p.node.type, out, logged);
        } catch (e) {
          // The result is still good for this run; only the next run will have to compute it again.
          emit({
            type: 'node.log',
            nodeId: p.id,
            level: 'warn',
            message: `could not store the result in the cache: ${(e as Error).message}`,
            at: Date.now(),
          });
        }
        emit({ type: 'node.finished', nodeId: p.id, outputs: out, at: Date.now(), cacheKey: key.key });
        for (const d of p.dependents) if (status[d] === 'waiting' && --missingDeps[d]! === 0) enqueue(d);
        ended(resource, device);
      },
      (e: unknown) => {
        throttle.flush();
        failNode(i, e, resource, device);
      },
    );
  };
  const failNode = (i: number, e: unknown, resource: Resource, device: string) => {
    const id = plan.nodes[i]!.id;
    if (signal.aborted && isAbort(e)) {
      status[i] = 'cancelled';
      emit({ type: 'node.cancelled', nodeId: id, at: Date.now() });
    } else {
      status[i] = 'failed';
      failed = true;
      emit({ type: 'node.failed', nodeId: id, error: describeNodeError(e), at: Date.now() });
      skipDependents(i, `"${id}" failed`);
    }
    ended(resource, device);
  };
  const ended = (resource: Resource, device: string) => {
    running--;
    slots.release(resource, device);
    pump();
    settleIfIdle();
  };
  const enqueue = (i: number) => ready[resourceOf(i)].push(i);
  const pump = () => {
    if (signal.aborted) return;
    for (const resource of ['gpu', 'cpu'] as const) {
      const queue = ready[resource];
      while (head[resource] < queue.length) {
        const i = queue[head[resource]]!;
        if (status[i] !== 'waiting') {
          head[resource]++; // skipped while queued
          continue;
        }
        const device = slots.tryAcquire(resource);
        if (device === null) break;
        head[resource]++;
        start(i, device);
      }
    }
  };

  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  // Another run's node freeing a shared slot may let one of ours start.
  const stopListening = slots.onRelease?.(pump);
  plan.nodes.forEach((_, i) => status[i] === 'waiting' && missingDeps[i] === 0 && enqueue(i));
  pump();
  settleIfIdle();
  return done.finally(() => {
    signal.removeEventListener('abort', onAbort);
    stopListening?.();
  });
}
