/**
 * What TrainLoRA shows while it trains: per-step metrics (loss, loss_smooth, val_loss, lr, it_s, eta_s), sample
 * grids as previews and sample events, checkpoint events (the chart's markers) and logs, and the loss diagnosis
 * (warned when it turns bad, and at the end).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tilesToPng } from '../../ml/corpus/render';
import { assertNever } from '../../protocol/messages';
import type { NodeContext } from '../api';
import { blankImagesWarning } from '../model/blank-image';
import { readValidation } from '../../ml/lora/checkpoints';
import type { LoraEvent } from './backend';
import { describeDiagnosis, diagnoseLoss, type CheckpointPicker, type Diagnosis, type LossVerdict } from './diagnose';

export interface Monitor {
  /** Takes the job protocol's events, from the emoji and the SD training workers alike. */
  onEvent(e: LoraEvent): void;
  /** Settles once every sample grid reported so far is stored and sent (the node awaits it before it ends). */
  drained(): Promise<void>;
  /** Final diagnosis: a warning when the curve says something needs doing, else a log line. */
  finish(): Diagnosis;
  startedAt?: number;
  /** Seconds inside session.run and in total (for the training-speed figure). */
  timing: { runSeconds: number; wallSeconds: number; steps: number; sampleSeconds: number };
}

const BAD: readonly LossVerdict[] = ['flat', 'diverging', 'overfitting', 'erratic', 'spikes'];

/**
 * Creates the monitor of one TrainLoRA execution; the loss log in `stateDir` survives resumes. `heldOut` says whether
 * the validation images are held out (else the diagnosis says that overfitting cannot be told from the loss);
 * `picker`, the LoRA check that chooses the checkpoint, if one runs (the diagnosis then defers to it). `samples`:
 * whether this run asked for in-training samples (sampleEvery > 0 with prompts).
 */
export function createMonitor(
  ctx: NodeContext,
  steps: number,
  columns: number,
  stateDir: string,
  heldOut: boolean,
  picker?: CheckpointPicker,
  samples = false,
): Monitor {
  const logFile = path.join(stateDir, 'losses.jsonl');
  const losses: number[] = [];
  const validation: { step: number; valLoss: number }[] = [];
  let smooth: number | undefined;
  let valLoss: number | undefined;
  let warned: LossVerdict | undefined;
  let samplesShown = Promise.resolve();
  let blankWarned = false;
  // Wall time and steps of this execution's step reports: each report's wall time runs from the previous one, so it
  // holds the checkpoints, validation and samples in between; the ETA from session.run time alone said "4 s" for
  // 3 minutes of in-training samples (QA S6-F11).
  const wall = { seconds: 0, steps: 0 };
  const m: Monitor = {
    drained: () => samplesShown,
    timing: { runSeconds: 0, wallSeconds: 0, steps: 0, sampleSeconds: 0 },
    onEvent(e) {
      switch (e.type) {
        case 'started': {
          m.startedAt = Date.now() / 1000;
          const from = e.resumedFrom ?? 0;
          for (const line of fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n') : []) {
            const r = line.trim() ? (JSON.parse(line) as { step: number; loss: number }) : undefined;
            if (r && r.step <= from) losses[r.step - 1] = r.loss;
          }
          if (from === 0) fs.writeFileSync(logFile, '');
          // A resumed run's curve starts where the first run's did.
          if (e.resumedFrom !== undefined)
            for (const [step, valLoss] of [...readValidation(stateDir)].sort((a, b) => a[0] - b[0]))
              if (step <= from) validation.push({ step, valLoss });
          if (e.resumedFrom !== undefined)
            ctx.log('info', `resumed from the checkpoint at step ${e.resumedFrom} of ${steps}`);
          // Samples are drawn while steps train: a run resumed at its end draws none (the resume key leaves out
          // sampleEvery, so raising it after the fact lands here).
          if (samples && e.resumedFrom !== undefined && e.resumedFrom >= steps)
            ctx.warn(
              `training had already finished at step ${steps} (resumed from its last checkpoint), so no in-training ` +
                'samples are drawn: they come only with steps still to train. To see them, raise Steps; to look at ' +
                "the kept checkpoints now, connect TrainLoRA's checkpoints to Sample or LoRACheck",
            );
          break;
        }
        case 'progress': {
          // A phase of the worker's (caching latents, building a graph, sampling): shown on the node while it lasts.
          if (e.label) ctx.progress(e.done, e.total, undefined, e.label);
          const r = e.report;
          if (!r) break;
          m.timing.runSeconds += e.runSeconds ?? 0;
          m.timing.steps += r.losses.length;
          if (e.wallSeconds !== undefined) {
            wall.seconds += e.wallSeconds;
            wall.steps += r.losses.length;
          }
          const rate = wall.seconds > 0 ? wall.steps / wall.seconds : r.stepsPerSecond;
          const first = r.step - r.losses.length;
          const lines: string[] = [];
          r.losses.forEach((loss, i) => {
            const step = first + i + 1;
            losses[step - 1] = loss;
            smooth = smooth === undefined ? loss : 0.95 * smooth + 0.05 * loss;
            lines.push(JSON.stringify({ step, loss }));
            const metrics: Record<string, number> = {
              loss,
              loss_smooth: smooth,
              lr: r.lrs[i] ?? 0,
              it_s: r.stepsPerSecond,
              eta_s: (steps - step) / Math.max(1e-9, rate),
            };
            if (valLoss !== undefined) metrics.val_loss = valLoss;
            ctx.progress(step, steps, metrics);
          });
          fs.appendFileSync(logFile, `${lines.join('\n')}\n`);
          break;
        }
        case 'metrics': {
          const measured = e.metrics.val_loss;
          if (measured === undefined) break;
          valLoss = measured;
          validation.push({ step: e.step, valLoss: measured });
          break;
        }
        case 'checkpoint': {
          ctx.checkpoint({ step: e.step, file: path.basename(e.path), loss: e.loss });
          if (e.loss === undefined) break;
          valLoss = e.loss;
          validation.push({ step: e.step, valLoss: e.loss });
          ctx.log('info', `checkpoint at step ${e.step}: validation loss ${e.loss.toFixed(4)}`);
          const d = diagnoseLoss(losses.filter(Number.isFinite), validation, { heldOut });
          if (BAD.includes(d.verdict) && warned !== d.verdict) {
            warned = d.verdict;
            ctx.warn(`step ${e.step}: ${describeDiagnosis(d, picker)}`);
          }
          break;
        }
        case 'samples': {
          m.timing.sampleSeconds += e.seconds;
          // Said once: a LoRA that diverged stays blank at every later step.
          const blank = blankWarned ? undefined : blankSamplesWarning(e.step, e.images, e.imageSize);
          if (blank) {
            blankWarned = true;
            ctx.warn(blank);
          }
          // Encoded side by side, shown in step order: a grid that compresses faster (a blank one) must not put an
          // older step's preview over a newer one.
          const stored = tilesToPng(e.images, e.imageSize, columns, 2).then((png) =>
            ctx.artifacts.put(png, 'image/png', `lora-step-${e.step}.png`),
          );
          samplesShown = Promise.all([samplesShown, stored])
            .then(([, ref]) => {
              ctx.sample({ step: e.step, images: [ref] });
              ctx.preview(ref, `step ${e.step}`);
            })
            .catch(() => undefined); // a lost sample grid is harmless
          break;
        }
        case 'log':
          ctx.log(e.level, e.message);
          break;
        default:
          assertNever(e);
      }
    },
    finish() {
      const d = diagnoseLoss(losses.filter(Number.isFinite), validation, { heldOut });
      const text = describeDiagnosis(d, picker);
      // Warned already at the last checkpoint: the same words again would only be noise.
      if (BAD.includes(d.verdict) && warned !== d.verdict) ctx.warn(text);
      else ctx.log('info', text);
      const t = m.timing;
      // Wall time from the worker's start to now: validation, checkpoints, batches, messages and samples included.
      t.wallSeconds = m.startedAt !== undefined ? Date.now() / 1000 - m.startedAt : t.runSeconds;
      if (t.steps > 0) {
        const outside = 100 * (1 - t.runSeconds / t.wallSeconds);
        ctx.log(
          'info',
          `${(t.steps / t.wallSeconds).toFixed(2)} steps/s; ${outside.toFixed(0)}% of the time outside session.run (${((100 * t.sampleSeconds) / t.wallSeconds).toFixed(0)}% sampling previews)`,
        );
      }
      return d;
    },
  };
  return m;
}

/** The warning for the blank tiles of an in-training sample grid (each `size`x`size` RGB), if any is. */
function blankSamplesWarning(step: number, images: Uint8Array, size: number): string | undefined {
  const px = size * size * 3;
  const drawn = Array.from({ length: Math.floor(images.length / px) }, (_, k) => ({
    rgb: images.subarray(k * px, (k + 1) * px),
    label: `sample ${k + 1}`,
    withLora: true,
  }));
  return blankImagesWarning(drawn, `samples at step ${step}`);
}
