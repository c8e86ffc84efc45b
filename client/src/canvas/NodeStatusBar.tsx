/** A node's run state: status badge, progress bar with its phase, rate and ETA, and the error with its hint. */
import { memo, useLayoutEffect, useRef, useState } from 'react';
import type { NodeState } from '../../../protocol/messages';

/** "1m 05s" style durations for ETAs. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '';
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** A rate worth showing: one measured over a first moment of work (a resumed node jumps to its checkpoint's step). */
const plausibleRate = (p: NonNullable<NodeState['progress']>): boolean =>
  p.rate !== undefined && Number.isFinite(p.rate) && p.rate > 0 && p.value < p.max;

/** A count as people read it: a node may report fractional progress (16.666666666666668 of 120 images). */
const count = (n: number): string => String(Math.floor(n));

const WAITING: ReadonlySet<string> = new Set(['pending', 'queued', 'running']);

interface Props {
  nodeId: string;
  state: NodeState | undefined;
  /** How many warnings the node logged (skipped files...): a succeeded node with warnings says so. */
  warnings?: number;
}

export const NodeStatusBar = memo(function NodeStatusBar({ nodeId, state, warnings = 0 }: Props) {
  const p = state?.progress;
  const status = state?.status ?? 'pending';
  const fraction = p && p.max > 0 ? Math.min(1, p.value / p.max) : undefined;
  const [errorOpen, setErrorOpen] = useState(false);
  const [errorOverflows, setErrorOverflows] = useState(false);
  return (
    <div className={`node-status status-${status}`} data-testid={`status-${nodeId}`} data-status={status}>
      <div className="status-line">
        <span className="badge">{status}</span>
        {warnings > 0 && (
          <span className="badge warn" title="see the node's panel for each warning" data-testid={`warnings-${nodeId}`}>
            ⚠ {warnings} warning{warnings > 1 ? 's' : ''}
          </span>
        )}
        {state?.error && (errorOverflows || errorOpen) && (
          <button
            type="button"
            className="node-error-more nodrag"
            data-testid={`node-error-more-${nodeId}`}
            onClick={() => setErrorOpen(!errorOpen)}
          >
            {errorOpen ? 'show less' : 'show all'}
          </button>
        )}
        {p && status === 'running' && (
          <span className="rate" data-testid={`progress-text-${nodeId}`}>
            {p.label && `${p.label} · `}
            {count(p.value)}/{count(p.max)}
            {plausibleRate(p) && ` · ${p.rate!.toFixed(p.rate! < 10 ? 2 : 0)}/s`}
            {plausibleRate(p) && p.etaSeconds !== undefined && ` · ETA ${formatSeconds(p.etaSeconds)}`}
          </span>
        )}
      </div>
      {fraction !== undefined && (status === 'running' || status === 'succeeded') ? (
        <div className="progress" data-testid={`progress-${nodeId}`}>
          {/* A scaled bar, not a width: a width change lays the page out again on every progress report. */}
          <div style={{ transform: `scaleX(${fraction.toFixed(3)})` }} data-fraction={fraction.toFixed(3)} />
        </div>
      ) : (
        // An empty track until the first report, so that a node does not grow (and all 200 get re-laid) as it starts.
        WAITING.has(status) && <div className="progress" aria-hidden="true" />
      )}
      {state?.error && (
        <NodeError
          nodeId={nodeId}
          message={state.error.message}
          hint={state.error.hint}
          open={errorOpen}
          onOverflow={setErrorOverflows}
        />
      )}
    </div>
  );
});

/**
 * A failed node's error: its first lines (CSS .node-error.clamped) and the whole text as the tooltip; when it is
 * longer, "show all" in the status line (beside the badge, so it takes no line of its own) unfolds it. A long error
 * (a path, a hint) grew the node over the node below it on the canvas.
 */
function NodeError(props: {
  nodeId: string;
  message: string;
  hint?: string;
  open: boolean;
  onOverflow(overflows: boolean): void;
}) {
  const { nodeId, message, hint, open, onOverflow } = props;
  const body = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = body.current;
    if (el && !open) onOverflow(el.scrollHeight > el.clientHeight + 1);
  }, [message, hint, open, onOverflow]);
  return (
    <div
      className={`node-error${open ? '' : ' clamped'}`}
      data-testid={`node-error-${nodeId}`}
      title={hint ? `${message}\n${hint}` : message}
    >
      <div className="node-error-body" ref={body}>
        {message}
        {hint && <div className="hint-text">{hint}</div>}
      </div>
    </div>
  );
}
