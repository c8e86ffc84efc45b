import type { NodeProgress, ServerMessage } from '../../protocol/messages';

const BAR_WIDTH = 24;
const REDRAW_MS = 100;
const PLAIN_LINE_EVERY_MS = 5000;
/** A training node's log line saying it continued from a checkpoint. */
const RESUMED = /^resumed from the checkpoint at step/;

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mmss = `${String(m).padStart(h ? 2 : 1, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h ? `${h}:${mmss}` : mmss;
}

/** One line for a running node: title, the phase it names, bar, value/max, rate, ETA and loss when reported. */
export function formatProgressLine(title: string, p: NodeProgress | undefined): string {
  if (!p || p.max <= 0) return `${title}  ${p?.label ?? 'running'}…`;
  const fraction = Math.min(1, Math.max(0, p.value / p.max));
  const filled = Math.round(fraction * BAR_WIDTH);
  // Nodes may report fractional progress (the LoRA check counts part of a sample); people count whole items.
  const count = `${Math.floor(p.value)}/${p.max}`;
  // A node with phases (class images, latents, training, the LoRA check) counts each afresh: say which one.
  const phase = p.label ? `  ${p.label}` : '';
  const parts = [`${title}${phase}  [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]  ${count}`];
  if (p.rate !== undefined) parts.push(p.rate >= 1 ? `${p.rate.toFixed(1)}/s` : `${(1 / p.rate).toFixed(1)}s/it`);
  if (p.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
  const loss = p.metrics?.loss;
  if (loss !== undefined) parts.push(`loss ${loss.toPrecision(4)}`);
  return parts.join('  ');
}

interface Bar {
  title: string;
  startedAt: number;
  progress?: NodeProgress;
  /** The phase of the last plain line, so that a new phase gets its own line at once. */
  lastPlainLabel?: string;
  lastPlainDecile: number;
  lastPlainAt: number;
}

/**
 * Draws one progress bar per running node on stderr. On a terminal the bars are redrawn in place; otherwise
 * (logs, CI) a line is written per ~10% or every few seconds per node.
 */
export class ProgressRenderer {
  private readonly bars = new Map<string, Bar>();
  /** Each training node's last checkpoint step: what a rerun of the same command resumes from. */
  private readonly checkpoints = new Map<string, number>();
  private drawnLines = 0;
  private redrawTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly titleOf: (nodeId: string) => string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly tty = Boolean(process.stderr.isTTY),
  ) {}

  /** Feeds one message of the followed run. */
  handle(message: ServerMessage): void {
    const now = Date.now();
    switch (message.type) {
      case 'node.started':
        this.bars.set(message.nodeId, {
          title: this.titleOf(message.nodeId),
          startedAt: now,
          lastPlainDecile: -1,
          lastPlainAt: now,
        });
        if (!this.tty) this.write(`▶ ${this.titleOf(message.nodeId)} started`);
        break;
      case 'node.progress':
        this.onProgress(message.nodeId, message.progress, now);
        break;
      case 'node.cached':
        this.permanent(`• ${this.titleOf(message.nodeId)} cached`);
        break;
      case 'node.finished':
        this.finish(message.nodeId, (title, startedAt) => `✓ ${title} ${formatDuration((now - startedAt) / 1000)}`);
        break;
      case 'node.failed':
        this.finish(
          message.nodeId,
          (bar) =>
            `✗ ${bar} failed: ${message.error.message}${message.error.hint ? `\n  hint: ${message.error.hint}` : ''}`,
        );
        break;
      case 'node.checkpoint':
        this.checkpoints.set(message.nodeId, message.checkpoint.step);
        break;
      case 'node.cancelled': {
        const step = this.checkpoints.get(message.nodeId);
        const resume = step === undefined ? '' : `\n  rerun the same command to resume from step ${step}`;
        this.finish(message.nodeId, (bar) => `■ ${bar} cancelled${resume}`);
        break;
      }
      case 'node.skipped':
        this.permanent(`- ${this.titleOf(message.nodeId)} skipped: ${message.reason}`);
        break;
      case 'node.log':
        // A resume is news to the user too: otherwise the bar just starts at the checkpoint's step (QA S6-F9).
        if (message.level === 'warn' || message.level === 'error' || RESUMED.test(message.message))
          this.permanent(`  ${message.level}: ${this.titleOf(message.nodeId)}: ${message.message}`);
        break;
      default:
        break;
    }
  }

  /** Removes the bars from the terminal; call before printing the summary. */
  stop(): void {
    if (this.redrawTimer) clearTimeout(this.redrawTimer);
    this.redrawTimer = undefined;
    this.erase();
  }

  private onProgress(nodeId: string, progress: NodeProgress, now: number): void {
    const bar = this.bars.get(nodeId) ?? {
      title: this.titleOf(nodeId),
      startedAt: now,
      lastPlainDecile: -1,
      lastPlainAt: now,
    };
    bar.progress = progress;
    this.bars.set(nodeId, bar);
    if (this.tty) return this.scheduleRedraw();
    const decile = progress.max > 0 ? Math.floor((10 * progress.value) / progress.max) : 0;
    const newPhase = progress.label !== bar.lastPlainLabel;
    if (newPhase || decile > bar.lastPlainDecile || now - bar.lastPlainAt >= PLAIN_LINE_EVERY_MS) {
      bar.lastPlainDecile = decile;
      bar.lastPlainLabel = progress.label;
      bar.lastPlainAt = now;
      this.write(formatProgressLine(bar.title, progress));
    }
  }

  private finish(nodeId: string, line: (title: string, startedAt: number) => string): void {
    const bar = this.bars.get(nodeId);
    this.bars.delete(nodeId);
    this.permanent(line(bar?.title ?? this.titleOf(nodeId), bar?.startedAt ?? Date.now()));
  }

  /** A line that stays above the bars. */
  private permanent(line: string): void {
    this.erase();
    this.write(line);
    this.draw();
  }

  private scheduleRedraw(): void {
    if (this.redrawTimer) return;
    this.redrawTimer = setTimeout(() => {
      this.redrawTimer = undefined;
      this.erase();
      this.draw();
    }, REDRAW_MS);
  }

  private draw(): void {
    if (!this.tty) return;
    const columns = this.stream.columns || 100;
    const lines = [...this.bars.values()].map((b) => formatProgressLine(b.title, b.progress).slice(0, columns - 1));
    if (lines.length > 0) this.stream.write(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }

  private erase(): void {
    if (!this.tty || this.drawnLines === 0) return;
    this.stream.write(`\x1b[${this.drawnLines}A\x1b[J`);
    this.drawnLines = 0;
  }

  private write(line: string): void {
    this.stream.write(`${line}\n`);
  }
}
