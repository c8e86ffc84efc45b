/** Two runs side by side: the parameters that differ, their metric curves overlaid, their images next to each other. */
import { memo, useEffect } from 'react';
import { isArtifactRef, type ArtifactRef } from '../../../protocol/values';
import { fetchRun } from '../actions';
import { artifactUrl } from '../api/http';
import { useStore } from '../store/createStore';
import { runsStore, type RunView } from '../store/runs';
import { enlarge, uiStore } from '../store/ui';
import { splitSeries, type Series } from './chartMath';
import { diffParams } from './compareRuns';
import { MetricChart } from './MetricChart';

const RUN_COLORS = ['#4fc3f7', '#ffb74d'];

/** How a run is named in the comparison: A/B, its name, when it was made and the start of its id. */
export function runLabel(letter: string, run: RunView): string {
  const at = new Date(run.summary.createdAt);
  const time = `${at.toLocaleDateString()} ${at.toLocaleTimeString()}`;
  return `${letter}: ${run.summary.name || 'untitled'} · ${time} · ${run.summary.id.slice(0, 8)}`;
}

/** One chart per node and metric, A's curve and B's overlaid (B dashed), so every metric is compared. */
export function overlaid(a: RunView, b: RunView): { title: string; series: Series[] }[] {
  const nodes = [...new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])];
  const out: { title: string; series: Series[] }[] = [];
  for (const nodeId of nodes) {
    const sa = splitSeries(a.metrics[nodeId] ?? []).series;
    const sb = splitSeries(b.metrics[nodeId] ?? []).series;
    for (const metric of [...new Set([...sa, ...sb].map((s) => s.name))]) {
      const series: Series[] = [];
      const fromA = sa.find((s) => s.name === metric);
      const fromB = sb.find((s) => s.name === metric);
      if (fromA)
        series.push({ ...fromA, name: `A ${a.summary.name || a.summary.id.slice(0, 8)}`, color: RUN_COLORS[0] });
      if (fromB)
        series.push({
          ...fromB,
          name: `B ${b.summary.name || b.summary.id.slice(0, 8)}`,
          color: RUN_COLORS[1],
          dashed: true,
        });
      out.push({ title: `${nodeId} · ${metric}`, series });
    }
  }
  return out;
}

/**
 * Why the metrics section is empty: a node served from the cache reports no curves in this run (the run that
 * computed it has them), so an empty section must not look like a bug.
 */
export function whyNoMetrics(letter: string, run: RunView): string {
  const cached = Object.values(run.nodes).some((n) => n.status === 'cached');
  return cached
    ? `${letter}: cached: no new metrics (its nodes were served from the cache; the run that computed them has the curves)`
    : `${letter}: no metrics recorded`;
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
  const charts = overlaid(a, b);
  return (
    <div className="compare" data-testid="compare-panel">
      <h3>Parameters that differ</h3>
      {diffs.length === 0 && <div className="muted">none</div>}
      <table>
        <thead>
          <tr>
            <th>node.param</th>
            <th title={runLabel('A', a)}>A</th>
            <th title={runLabel('B', b)}>B</th>
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
      {charts.length === 0 && (
        <ul className="muted" data-testid="compare-no-metrics">
          <li>{whyNoMetrics('A', a)}</li>
          <li>{whyNoMetrics('B', b)}</li>
        </ul>
      )}
      {charts.map((c) => (
        <div key={c.title} className="compare-chart" data-testid={`compare-chart-${c.title}`}>
          <h4>{c.title}</h4>
          <MetricChart series={c.series} checkpoints={[]} smoothing={0.6} />
        </div>
      ))}
      <h3>Images</h3>
      <div className="side-by-side">
        <div>
          <h4 data-testid="compare-title-a">
            <span className="key" style={{ borderColor: RUN_COLORS[0] }} /> {runLabel('A', a)}
          </h4>
          <Images run={a} />
        </div>
        <div>
          <h4 data-testid="compare-title-b">
            <span className="key dashed" style={{ borderColor: RUN_COLORS[1] }} /> {runLabel('B', b)}
          </h4>
          <Images run={b} />
        </div>
      </div>
    </div>
  );
});
