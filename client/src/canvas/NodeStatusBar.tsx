/** A node's run state: status badge, progress bar with rate and ETA, and the error with its hint. */
import { memo } from 'react';
import type { NodeState } from '../../../protocol/messages';

/** "1m 05s" style durations for ETAs. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '';
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export const NodeStatusBar = memo(function NodeStatusBar({ nodeId, state }: { nodeId: string; state: NodeState }) {
  const p = state.progress;
  const fraction = p && p.max > 0 ? Math.min(1, p.value / p.max) : undefined;
  return (
    <div className={`node-status status-${state.status}`} data-testid={`status-${nodeId}`} data-status={state.status}>
      <div className="status-line">
        <span className="badge">{state.status}</span>
        {p && state.status === 'running' && (
          <span className="rate" data-testid={`progress-text-${nodeId}`}>
            {p.value}/{p.max}
            {p.rate !== undefined && ` · ${p.rate.toFixed(p.rate < 10 ? 2 : 0)}/s`}
            {p.etaSeconds !== undefined && ` · ETA ${formatSeconds(p.etaSeconds)}`}
          </span>
        )}
      </div>
      {fraction !== undefined && (state.status === 'running' || state.status === 'succeeded') && (
        <div className="progress" data-testid={`progress-${nodeId}`}>
          <div style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
        </div>
      )}
      {state.error && (
        <div className="node-error" data-testid={`node-error-${nodeId}`}>
          {state.error.message}
          {state.error.hint && <div className="hint-text">{state.error.hint}</div>}
        </div>
      )}
    </div>
  );
});
