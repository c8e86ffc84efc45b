// The in-thread trainer: owns parameters, optimizer state, PRNG streams and one session per steps-per-run count.
// Use it directly inside a worker; trainInWorker (remote.ts) runs it off the main thread.
import { Tensor as OrtTensor, type InferenceSession } from 'onnxruntime-node';
import { lrAt, lrRange, makeOptimizer, validateSchedule, type Optimizer, type StateSpec } from '../optim';
import { probeProvider, providerOptions } from '../runtime/providers';
import { checkCheckpointFits, saveCheckpoint, type CheckpointData } from './checkpoint';
import { layoutOf, pack, unpack, type ParamLayout } from './layout';
import { CounterRng } from './rng';
import { buildStepGraph, type StepGraph } from './step-graph';
import type { BatchArray, NamedParams, StepReport, TrainConfig, TrainTask } from './types';

/** PRNG stream ids forked from the seed: parameter init and data (order, noise) are independent. */
const INIT_STREAM = 1;
const DATA_STREAM = 2;

interface Compiled {
  graph: StepGraph;
  session: InferenceSession;
}

/** Runs training steps for one task; deterministic given the config's seed. */
export class Trainer {
  private readonly layout: ParamLayout;
  private readonly optimizer: Optimizer;
  private readonly stateSpecs: StateSpec[];
  private readonly sessions = new Map<number, Promise<Compiled>>();
  private params: Float32Array;
  private state: Float32Array[];
  /** Moving average of `params` (config.ema), in the same packed layout. */
  private ema?: Float32Array;
  private dataRng: CounterRng;
  private stepCount: number;

  private constructor(
    readonly task: TrainTask,
    readonly config: TrainConfig,
    resume?: { path: string; data: CheckpointData },
  ) {
    validateSchedule(config.schedule);
    const spr = config.stepsPerRun ?? 1;
    if (!Number.isInteger(spr) || spr < 1) throw new Error(`stepsPerRun must be an integer >= 1, got ${spr}`);
    const root = new CounterRng(config.seed);
    const init = task.initParams(root.fork(INIT_STREAM));
    this.layout = layoutOf(init);
    this.optimizer = makeOptimizer(config.optimizer);
    this.stateSpecs = this.optimizer.stateSpecs([{ name: 'params', size: this.layout.total }]);
    if (resume) {
      checkCheckpointFits(resume.path, resume.data, this.layout);
      this.params = pack(this.layout, resume.data.params, `${resume.path}: parameter`);
      this.state = this.stateSpecs.map((s) => {
        const v = resume.data.optimizerState[s.name];
        if (!v || v.length !== s.shape.reduce((a, b) => a * b, 1))
          throw new Error(
            `${resume.path}: optimizer state '${s.name}' is missing or has the wrong size (was the optimizer changed?)`,
          );
        return v;
      });
      this.dataRng = new CounterRng(resume.data.dataRng);
      this.stepCount = resume.data.step;
      // A checkpoint written before the average was turned on starts it from the current weights.
      if (config.ema)
        this.ema = resume.data.ema
          ? pack(this.layout, resume.data.ema, `${resume.path}: averaged parameter`)
          : Float32Array.from(this.params);
    } else {
      this.params = pack(this.layout, init);
      this.state = this.stateSpecs.map((s) => s.init([this.params]));
      this.dataRng = root.fork(DATA_STREAM);
      this.stepCount = 0;
      if (config.ema) this.ema = Float32Array.from(this.params);
    }
  }

  /** Creates a trainer (probing the execution provider first), optionally resuming from checkpoint data. */
  static async create(
    task: TrainTask,
    config: TrainConfig,
    resume?: { path: string; data: CheckpointData },
  ): Promise<Trainer> {
    const provider = config.provider ?? 'cpu';
    if (provider !== 'cpu') await probeProvider(provider);
    return new Trainer(task, config, resume);
  }

  /** Optimizer steps completed so far. */
  get step(): number {
    return this.stepCount;
  }

  /** Number of trainable values. */
  get parameterCount(): number {
    return this.layout.total;
  }

  /** Runs `count` optimizer steps in runs of stepsPerRun (a smaller last run if needed); one report per run. */
  async train(count: number, onRun?: (r: StepReport) => void | boolean): Promise<StepReport[]> {
    const reports: StepReport[] = [];
    const K = this.config.stepsPerRun ?? 1;
    for (let left = count; left > 0;) {
      const r = await this.runOnce(Math.min(K, left));
      reports.push(r);
      left -= r.losses.length;
      if (onRun?.(r) === false) break;
    }
    return reports;
  }

  /** Runs exactly `k` steps in one session.run. */
  async runOnce(k: number): Promise<StepReport> {
    const { graph, session } = await this.compiled(k);
    const lrs = lrRange(this.config.schedule, this.stepCount, k);
    const feeds: Record<string, OrtTensor> = {
      params: new OrtTensor('float32', this.params, [this.layout.total]),
      lrs: new OrtTensor('float32', lrs, [k]),
      step0: new OrtTensor('float32', Float32Array.of(this.stepCount), []),
    };
    graph.stateInputs.forEach((name, i) => {
      feeds[name] = new OrtTensor('float32', this.state[i]!, [this.state[i]!.length]);
    });
    const batches = this.batchesFor(k);
    graph.batchInputs.forEach((name, i) => {
      feeds[name] = batches[i]!;
    });
    const t0 = performance.now();
    const out = await session.run(feeds);
    const seconds = (performance.now() - t0) / 1000;
    this.params = out['params.next']!.data as Float32Array;
    this.state = graph.stateOutputs.map((n) => out[n]!.data as Float32Array);
    this.stepCount += k;
    this.updateEma(k);
    return {
      step: this.stepCount,
      losses: Array.from(out.losses!.data as Float32Array),
      lrs: Array.from({ length: k }, (_, i) => lrAt(this.config.schedule, this.stepCount - k + i)),
      gradNorms: Array.from(out.grad_norms!.data as Float32Array),
      stepsPerSecond: k / seconds,
    };
  }

  /** Current parameters by name (copies). */
  exportParams(): NamedParams {
    return unpack(this.layout, this.params);
  }

  /** The parameters' moving average by name (copies), when the config keeps one. */
  exportEma(): NamedParams | undefined {
    return this.ema && unpack(this.layout, this.ema);
  }

  /** Everything a resume needs. */
  checkpointData(): CheckpointData {
    return {
      step: this.stepCount,
      params: this.exportParams(),
      optimizerState: Object.fromEntries(this.stateSpecs.map((s, i) => [s.name, Float32Array.from(this.state[i]!)])),
      dataRng: this.dataRng.state(),
      config: this.config,
      ...(this.ema ? { ema: unpack(this.layout, this.ema) } : {}),
    };
  }

  /** Writes a checkpoint atomically. */
  saveCheckpoint(path: string): Promise<void> {
    return saveCheckpoint(path, this.checkpointData());
  }

  /** The step graph for k steps per run (for FLOP counting and profiling). */
  async stepGraph(k = this.config.stepsPerRun ?? 1): Promise<StepGraph> {
    return (await this.compiled(k)).graph;
  }

  /** Releases every session. */
  async release(): Promise<void> {
    for (const c of this.sessions.values()) await (await c).session.release();
    this.sessions.clear();
  }

  /**
   * Folds the weights after a run of k steps into the average. The weights are only seen once per run, so the run
   * counts as k steps of decay; the decay ramps up over the first steps ((1 + n) / (10 + n)) so that the average
   * forgets the random initialisation quickly.
   */
  private updateEma(k: number): void {
    if (!this.ema || !this.config.ema) return;
    const n = this.stepCount;
    const d = Math.min(this.config.ema, (1 + n) / (10 + n)) ** k;
    const ema = this.ema;
    const p = this.params;
    for (let i = 0; i < ema.length; i++) ema[i] = d * ema[i]! + (1 - d) * p[i]!;
  }

  private compiled(k: number): Promise<Compiled> {
    let c = this.sessions.get(k);
    if (!c) {
      c = (async () => {
        const graph = buildStepGraph({
          task: this.task,
          layout: this.layout,
          optimizer: this.optimizer,
          stateSpecs: this.stateSpecs,
          clipNorm: this.config.clipNorm,
          steps: k,
        });
        const session = await graph.g.createSession({
          ...providerOptions(this.config.provider ?? 'cpu', this.config.threads),
          graphOptimizationLevel: 'all',
        });
        return { graph, session };
      })();
      this.sessions.set(k, c);
    }
    return c;
  }

  /** Draws k batches from the data stream and stacks them on a new leading axis. */
  private batchesFor(k: number): OrtTensor[] {
    const names = Object.keys(this.task.batchSpec);
    const per = Array.from({ length: k }, (_, i) => this.task.nextBatch(this.dataRng, this.stepCount + i));
    return names.map((name) => {
      const spec = this.task.batchSpec[name]!;
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const first = per[0]![name];
      if (!first) throw new Error(`nextBatch did not return batch input '${name}'`);
      const stacked = new (first.constructor as new (n: number) => BatchArray)(size * k);
      per.forEach((b, i) => {
        const v = b[name];
        if (!v || v.length !== size)
          throw new Error(
            `nextBatch: '${name}' must have ${size} values for shape [${spec.shape.join(', ')}], got ${v?.length ?? 'none'}`,
          );
        (stacked as Float32Array).set(v as Float32Array, i * size);
      });
      return new OrtTensor(spec.dtype as 'float32', stacked as Float32Array, [k, ...spec.shape]);
    });
  }
}
