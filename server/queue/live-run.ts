import type { ExecutorEvent } from '../engine/types';
import type { LogEntry, MetricPoint } from '../../protocol/api';
import type { NodeProgress, ServerMessage } from '../../protocol/messages';
import type { StoredNodeState } from '../db';
import { assertNever } from '../../protocol/messages';

/** What one executor event means for the outside world: a message, a node state to persist, telemetry rows. */
export interface EventEffects {
  message?: ServerMessage;
  persist?: StoredNodeState;
  log?: LogEntry;
  metric?: MetricPoint;
}

/** Minimum time between two progress messages of one node; the latest value is always kept for snapshots. */
const PROGRESS_MESSAGE_INTERVAL_MS = 100;

interface ProgressClock {
  startedAt: number;
  startValue: number;
  lastMessageAt: number;
  /** The phase it measures (NodeProgress.label). */
  label?: string;
}

/**
 * The in-memory state of the run being executed: each node's latest status, progress and preview, so that
 * a client connecting mid-run gets everything in its snapshot without a database read per progress step.
 */
export class LiveRun {
  readonly nodes = new Map<string, StoredNodeState>();
  private readonly clocks = new Map<string, ProgressClock>();

  constructor(readonly runId: string) {}

  /** Turns one executor event into state changes and the message to broadcast. */
  apply(event: ExecutorEvent, now: number): EventEffects {
    const runId = this.runId;
    const nodeId = event.nodeId;
    switch (event.type) {
      case 'node.started': {
        const state: StoredNodeState = { nodeId, status: 'running', startedAt: event.at, cacheKey: event.cacheKey };
        this.nodes.set(nodeId, state);
        return { persist: state, message: { type: 'node.started', runId, nodeId, at: event.at } };
      }
      case 'node.progress': {
        const state = this.node(nodeId);
        const progress = this.estimate(nodeId, event.progress, now);
        state.progress = progress;
        const clock = this.clocks.get(nodeId);
        const final = progress.value >= progress.max;
        if (clock && !final && now - clock.lastMessageAt < PROGRESS_MESSAGE_INTERVAL_MS) return {};
        if (clock) clock.lastMessageAt = now;
        return { message: { type: 'node.progress', runId, nodeId, progress } };
      }
      case 'node.preview': {
        this.node(nodeId).lastPreview = event.image;
        const message: ServerMessage = { type: 'node.preview', runId, nodeId, image: event.image };
        if (event.label !== undefined) message.label = event.label;
        return { message };
      }
      case 'node.log': {
        const entry: LogEntry = { nodeId, level: event.level, message: event.message, at: event.at };
        return { log: entry, message: { type: 'node.log', runId, ...entry } };
      }
      case 'node.metrics':
        return {
          metric: { nodeId, step: event.step, at: event.at, metrics: event.metrics },
          message: { type: 'node.metrics', runId, nodeId, step: event.step, metrics: event.metrics },
        };
      case 'node.checkpoint': {
        const { checkpoint, at } = event;
        return {
          metric: { nodeId, step: checkpoint.step, at, metrics: {}, checkpoint },
          message: { type: 'node.checkpoint', runId, nodeId, checkpoint, at },
        };
      }
      case 'node.sample': {
        const { sample, at } = event;
        return {
          metric: { nodeId, step: sample.step, at, metrics: {}, sample },
          message: { type: 'node.sample', runId, nodeId, sample, at },
        };
      }
      case 'node.cached': {
        const state: StoredNodeState = {
          nodeId,
          status: 'cached',
          outputs: event.outputs,
          cacheKey: event.cacheKey,
          finishedAt: now,
        };
        this.nodes.set(nodeId, state);
        return { persist: state, message: { type: 'node.cached', runId, nodeId, outputs: event.outputs } };
      }
      case 'node.finished': {
        const state = this.node(nodeId);
        Object.assign(state, {
          status: 'succeeded',
          outputs: event.outputs,
          cacheKey: event.cacheKey,
          finishedAt: event.at,
        });
        return {
          persist: state,
          message: { type: 'node.finished', runId, nodeId, outputs: event.outputs, at: event.at },
        };
      }
      case 'node.failed': {
        const state = this.node(nodeId);
        Object.assign(state, { status: 'failed', error: event.error, finishedAt: event.at });
        return { persist: state, message: { type: 'node.failed', runId, nodeId, error: event.error, at: event.at } };
      }
      case 'node.cancelled': {
        const state = this.node(nodeId);
        Object.assign(state, { status: 'cancelled', finishedAt: event.at });
        return { persist: state, message: { type: 'node.cancelled', runId, nodeId, at: event.at } };
      }
      case 'node.skipped': {
        const state = this.node(nodeId);
        Object.assign(state, { status: 'skipped', error: { message: event.reason } });
        return { persist: state, message: { type: 'node.skipped', runId, nodeId, reason: event.reason } };
      }
      default:
        return assertNever(event);
    }
  }

  private node(nodeId: string): StoredNodeState {
    let state = this.nodes.get(nodeId);
    if (!state) {
      state = { nodeId, status: 'running' };
      this.nodes.set(nodeId, state);
    }
    return state;
  }

  /** Adds rate and ETA, measured from the node's first progress report (so a resumed node starts fresh). */
  private estimate(nodeId: string, progress: NodeProgress, now: number): NodeProgress {
    let clock = this.clocks.get(nodeId);
    if (!clock || progress.value < clock.startValue || progress.label !== clock.label) {
      // A new phase (another label) is sent at once and measured afresh.
      clock = { startedAt: now, startValue: progress.value, lastMessageAt: 0, label: progress.label };
      this.clocks.set(nodeId, clock);
    }
    const seconds = (now - clock.startedAt) / 1000;
    const done = progress.value - clock.startValue;
    if (seconds < 0.2 || done <= 0) return progress;
    const rate = done / seconds;
    return { ...progress, rate, etaSeconds: Math.max(0, (progress.max - progress.value) / rate) };
  }
}
