/** Two runs side by side: the parameters that differ, their metric curves overlaid, their images next to each other. */
import { memo, useEffect } from 'react';
import { isArtifactRef, type ArtifactRef } from '../../../protocol/values';
import { fetchRun } from '../actions';
import { artifactUrl } from '../api/http';
import { useStore } from '../store/createStore';
import { runsStore, type RunView } from '../store/runs';
import { enlarge, uiStore } from '../store/ui';
import { groupSeries, splitSeries, type Series } from './chartMath';
import { diffParams } from './compareRuns';
import { MetricChart } from './MetricChart';

function overlaid(a: RunView, b: RunView): Series[][] {
  const nodes = new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)]);
  const out: Series[][] = [];
  for (const nodeId of nodes) {
    const sa = splitSeries(a.metrics[nodeId] ?? []).series.map((s) => ({ ...s, name: `A ${nodeId}.${s.name}` }));
    const sb = splitSeries(b.metrics[nodeId] ?? []).series.map((s) => ({ ...s, name: `B ${nodeId}.${s.name}` }));
    out.push(...groupSeries([...sa, ...sb]));
  }
  return out;
}

/** The run's image outputs, each once (a node passing images on would show them twice). */
function images(run: RunView): ArtifactRef[] {
  const all = Object.values(run.nodes).flatMap((n) =>
    Object.values(n.outputs ?? {}).flatMap((v) => (Array.isArray(v) ? v : [v])),
  );
  const unique = new Map<string, ArtifactRef>();
  for (const v of all) if (isArtifactRef(v) && v.mime.startsWith('image/')) unique.set(v.$artifact, v);
  return [...unique.values()];
}

const Images = ({ run }: { run: RunView }) => (
  <div className="grid">
    {images(run).map((a) => (
      <img
        key={a.$artifact}
        className="thumb"
        src={artifactUrl(a.$artifact)}
        alt={a.name}
        onClick={() => enlarge(artifactUrl(a.$artifact), a.name)}
      />
    ))}
  </div>
);

export const ComparePanel = memo(function ComparePanel() {
  const ids = useStore(uiStore, (s) => s.compare);
  const a = useStore(runsStore, (s) => (ids[0] ? s.runs[ids[0]] : undefined));
  const b = useStore(runsStore, (s) => (ids[1] ? s.runs[ids[1]] : undefined));
  useEffect(() => {
    for (const id of ids) void fetchRun(id).catch(() => undefined);
  }, [ids]);
  if (ids.length < 2) return <div className="muted pad">Tick two runs in the Runs tab to compare them.</div>;
  if (!a?.workflow || !b?.workflow) return <div className="muted pad">Loading…</div>;
  const diffs = diffParams(a.workflow, b.workflow);
  return (
    <div className="compare" data-testid="compare-panel">
      <h3>Parameters that differ</h3>
      {diffs.length === 0 && <div className="muted">none</div>}
      <table>
        <thead>
          <tr>
            <th>node.param</th>
            <th>A</th>
            <th>B</th>
          </tr>
        </thead>
        <tbody>
          {diffs.map((d) => (
            <tr key={`${d.nodeId}.${d.param}`}>
              <td>
                {d.nodeId}.{d.param}
              </td>
              <td>{JSON.stringify(d.a)}</td>
              <td>{JSON.stringify(d.b)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Metrics</h3>
      {overlaid(a, b).map((g) => (
        <MetricChart key={g.map((s) => s.name).join()} series={g} checkpoints={[]} smoothing={0.6} />
      ))}
      <h3>Images</h3>
      <div className="side-by-side">
        <div>
          <h4>A {a.summary.name}</h4>
          <Images run={a} />
        </div>
        <div>
          <h4>B {b.summary.name}</h4>
          <Images run={b} />
        </div>
      </div>
    </div>
  );
});
