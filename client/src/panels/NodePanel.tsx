/** The selected node in the active run: its state, every output, all metric charts, previews and logs. */
import { memo } from 'react';
import type { ArtifactRef } from '../../../protocol/values';
import { useStore } from '../store/createStore';
import { activeTab, editorStore } from '../store/editor';
import { runsStore } from '../store/runs';
import { artifactUrl } from '../api/http';
import { enlarge } from '../store/ui';
import { MetricsPanel } from './MetricsPanel';
import { OutputValue } from './OutputValue';
import { isImagesValue } from './SampleGrid';

/** One preview a node sent while it ran. */
type Preview = { image: ArtifactRef; label?: string };

/** A node's previews, newest last: click one to enlarge it. */
const PreviewGrid = ({ previews }: { previews: readonly Preview[] }) => (
  <div className="grid">
    {previews.map((p, i) => (
      <img
        key={`${p.image.$artifact}${i}`}
        className="thumb"
        src={artifactUrl(p.image.$artifact)}
        alt={p.label ?? p.image.name}
        title={p.label}
        onClick={() => enlarge(artifactUrl(p.image.$artifact), p.label ?? p.image.name)}
      />
    ))}
  </div>
);

export const NodePanel = memo(function NodePanel() {
  const nodeId = useStore(editorStore, (s) =>
    activeTab(s).selectedNodes.find((id) => activeTab(s).doc.nodes.some((n) => n.id === id)),
  );
  const runId = useStore(editorStore, (s) => activeTab(s).runId);
  const run = useStore(runsStore, (s) => (runId ? s.runs[runId] : undefined));
  if (!nodeId) return <div className="muted pad">Select a node to see its outputs.</div>;
  const state = run?.nodes[nodeId];
  const points = run?.metrics[nodeId] ?? [];
  const previews = run?.previews[nodeId] ?? [];
  const logs = run?.logs[nodeId] ?? [];
  const warnings = logs.filter((l) => l.level === 'warn');
  // A node that ended with its final images (Sample): its progress previews were stand-ins for them, so they fold
  // away below a summary instead of standing above the real grid (QA S6-F10). A training node's step grids stay.
  const superseded = state?.status === 'succeeded' && Object.values(state.outputs ?? {}).some(isImagesValue);
  return (
    <div className="node-panel" data-testid="node-panel">
      <h3>
        {nodeId} {state && <span className={`badge status-${state.status}`}>{state.status}</span>}
      </h3>
      {!state && <div className="muted">Not run yet.</div>}
      {state?.error && (
        <div className="node-error">
          {state.error.message}
          {state.error.hint && <div className="hint-text">{state.error.hint}</div>}
        </div>
      )}
      {warnings.length > 0 && (
        <div className="warnings" data-testid="panel-warnings">
          <h4>
            ⚠ {warnings.length} warning{warnings.length > 1 ? 's' : ''}
          </h4>
          <ul>
            {warnings.map((w, i) => (
              <li key={i}>{w.message}</li>
            ))}
          </ul>
        </div>
      )}
      {points.length > 0 && <MetricsPanel points={points} />}
      {previews.length > 0 &&
        (superseded ? (
          <details data-testid="panel-previews-superseded">
            <summary>
              {previews.length} preview{previews.length > 1 ? 's' : ''} while it ran
            </summary>
            <PreviewGrid previews={previews} />
          </details>
        ) : (
          <PreviewGrid previews={previews} />
        ))}
      {state?.outputs &&
        Object.entries(state.outputs).map(([name, value]) => (
          <div key={name} className="output" data-testid={`panel-output-${name}`}>
            <h4>{name}</h4>
            <OutputValue value={value} />
          </div>
        ))}
      {logs.length > 0 && (
        <details open={state?.status === 'failed'}>
          <summary>log ({logs.length})</summary>
          <pre className="log">{logs.map((l) => `${l.level.padEnd(5)} ${l.message}`).join('\n')}</pre>
        </details>
      )}
    </div>
  );
});
