/**
 * What `loraflow run` prints when a training node has finished: its speed, the validation loss of every kept
 * checkpoint (which one is best), the loss diagnosis and the files written. Read from the node's structured
 * outputs (LORA values carry their step, validation loss and artifact) and its log.
 */
import type { LogEntry } from '../../protocol/api';
import type { NodeState, RunDetail } from '../../protocol/messages';
import { isArtifactRef, type ArtifactRef, type JsonValue } from '../../protocol/values';

interface Checkpoint {
  name: string;
  step?: number;
  valLoss?: number;
  strength?: number;
  artifact: ArtifactRef;
}

function isCheckpoint(v: JsonValue | undefined): v is JsonValue & Checkpoint {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  return v.kind === 'loraflow.lora' && isArtifactRef(v.artifact);
}

/** The checkpoints a node produced: every LORA value among its outputs (lists included), by step, once each. */
function checkpointsOf(state: NodeState): Checkpoint[] {
  const byFile = new Map<string, Checkpoint>();
  for (const value of Object.values(state.outputs ?? {}))
    for (const v of Array.isArray(value) ? value : [value])
      if (isCheckpoint(v)) byFile.set((v.artifact as ArtifactRef).$artifact, v);
  return [...byFile.values()].sort((a, b) => (a.step ?? 0) - (b.step ?? 0));
}

const seconds = (ms: number): string =>
  ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;

/**
 * The line TrainLoRA logs when it goes on from a checkpoint (nodes/lora/train-monitor.ts): "resumed from the
 * checkpoint at step N of M". Only M - N steps trained in this run.
 */
const RESUMED = /resumed from the checkpoint at step (\d+) of (\d+)/;

function speedLine(state: NodeState, last: Checkpoint | undefined, logs: readonly LogEntry[]): string {
  if (state.status === 'cached') return 'served from the cache (trained by an earlier run)';
  // The last checkpoint is the step training ended at; the last progress may count a later phase (the LoRA check).
  const steps = last?.step ?? state.progress?.max;
  const resumed = logs.map((l) => RESUMED.exec(l.message)).find(Boolean);
  const from = resumed ? Number(resumed[1]) : 0;
  if (resumed && steps !== undefined && from >= steps)
    return `already trained to step ${steps} by an earlier run (resumed at its last checkpoint): no step left to train`;
  const ms = state.startedAt !== undefined && state.finishedAt !== undefined ? state.finishedAt - state.startedAt : 0;
  const parts: string[] = [];
  if (steps !== undefined) parts.push(from > 0 ? `steps ${from + 1}-${steps} (resumed at ${from})` : `${steps} steps`);
  if (ms > 0) parts.push(`in ${seconds(ms)}`);
  // The trainer's own figure (steps inside training); else the steps this run trained over the node's whole time.
  const trained = steps !== undefined ? steps - from : undefined;
  const rate = state.progress?.metrics?.it_s ?? (trained !== undefined && ms > 0 ? trained / (ms / 1000) : undefined);
  // SD on a CPU trains below a step a second: "0.0 steps/s" told nothing.
  if (rate !== undefined && rate > 0)
    parts.push(rate >= 1 ? `(${rate.toFixed(1)} steps/s)` : `(${(1 / rate).toFixed(1)} s/step)`);
  return parts.join(' ');
}

/**
 * The diagnosis line TrainLoRA logs last (nodes/lora/train-monitor.ts writes it as "loss curve: …"). A structured
 * output would be better than a prefix; the node's output sockets are not this module's to change.
 */
const DIAGNOSIS_PREFIX = 'loss curve:';

/**
 * The checkpoint a LoRA check wired to this node's checkpoints picked, and the check's title: the one to use, said
 * once (the validation loss's lowest comes from a held-out split of a few images).
 */
function checkPick(
  detail: RunDetail,
  nodeId: string,
  title: (id: string) => string,
): { step?: number; text: string } | undefined {
  const wf = detail.workflow;
  for (const e of wf.edges) {
    if (e.from.node !== nodeId || e.from.socket !== 'checkpoints') continue;
    const check = wf.nodes.find((n) => n.id === e.to.node && n.type === 'LoRACheck');
    const state = check && detail.nodes[check.id];
    if (!state || (state.status !== 'succeeded' && state.status !== 'cached')) continue;
    const best = state.outputs?.best;
    if (!isCheckpoint(best)) continue;
    const at = best.strength !== undefined ? ` @ strength ${best.strength}` : '';
    const text = `step ${best.step ?? '?'}${at}, picked by the LoRA check "${title(check.id)}" on sampled images`;
    return { step: best.step, text };
  }
  return undefined;
}

/**
 * Nodes that pass along LoRAs they did not train: a LoRA check's pick is its trainer's "checkpoint to use" line,
 * and a loaded file has no training to summarise.
 */
const PASSES_LORAS_ON = new Set(['LoRACheck', 'LoadLoRA']);

/**
 * A diagnosis warned at a checkpoint ("step 30: loss curve: flat …") is the curve so far; printed under the final
 * diagnosis it read as a third verdict beside it (QA S6-F7), so it says that the line above replaces it.
 */
function supersede(message: string): string {
  const m = /^step (\d+): (loss curve: .*)$/.exec(message);
  return m ? `at step ${m[1]}, superseded by the diagnosis above: ${m[2]}` : message;
}

/** Lines for every node that trained LoRA checkpoints; empty when there is none. */
export function formatTrainingSummaries(
  detail: RunDetail,
  logsOf: (nodeId: string) => LogEntry[],
  title: (nodeId: string) => string,
  artifactLocation: (ref: ArtifactRef) => string,
): string[] {
  const lines: string[] = [];
  for (const node of detail.workflow.nodes) {
    const state = detail.nodes[node.id];
    if (!state || (state.status !== 'succeeded' && state.status !== 'cached')) continue;
    if (PASSES_LORAS_ON.has(node.type)) continue;
    const checkpoints = checkpointsOf(state);
    if (checkpoints.length === 0) continue;
    const withLoss = checkpoints.filter((c) => c.valLoss !== undefined);
    const best = withLoss.reduce<Checkpoint | undefined>((b, c) => (!b || c.valLoss! < b.valLoss! ? c : b), undefined);
    // A cached node's lines come from the run that trained it (logsOf replays them), diagnosis included.
    const logs = logsOf(node.id);
    lines.push(`  ${title(node.id)}: ${speedLine(state, checkpoints.at(-1), logs)}`);
    if (withLoss.length > 0) {
      const list = withLoss.map(
        (c) => `step ${c.step ?? '?'} ${c.valLoss!.toFixed(4)}${c === best ? ' (lowest)' : ''}`,
      );
      lines.push(`    validation loss: ${list.join(', ')}`);
    }
    const pick = checkPick(detail, node.id, title);
    if (pick) {
      const differs = best && best.step !== pick.step;
      const why = ` (not step ${best?.step ?? '?'}, the validation loss's lowest: its held-out split is a few images)`;
      lines.push(`    checkpoint to use: ${pick.text}${differs ? why : ''}`);
    }
    const diagnosis = logs.filter((l) => l.message.startsWith(DIAGNOSIS_PREFIX)).at(-1);
    if (diagnosis) lines.push(`    ${diagnosis.message}`);
    // The diagnosis is also warned when it is bad; print it once.
    const warnings = logs.filter((l) => l.level === 'warn' && !(diagnosis && l.message.includes(diagnosis.message)));
    for (const w of warnings.slice(0, 5)) lines.push(`    warning: ${diagnosis ? supersede(w.message) : w.message}`);
    if (warnings.length > 5)
      lines.push(`    … and ${warnings.length - 5} more warnings (loraflow serve shows the whole log)`);
    lines.push(`    files written:`);
    for (const c of checkpoints)
      lines.push(`      step ${c.step ?? '?'}: ${c.name} -> ${artifactLocation(c.artifact)}`);
  }
  return lines;
}
