/** What a node produced, small, on the canvas: its latest preview, its metric chart and its image outputs. */
import { memo } from 'react';
import type { NodeState } from '../../../protocol/messages';
import { isArtifactRef, type ArtifactRef } from '../../../protocol/values';
import { artifactUrl } from '../api/http';
import { useStore } from '../store/createStore';
import { runsStore } from '../store/runs';
import { enlarge } from '../store/ui';
import { MetricsPanel } from '../panels/MetricsPanel';
import { useActiveRunId } from './useNodeRun';

const NO_POINTS: never[] = [];

function imagesOf(state: NodeState): ArtifactRef[] {
  const out: ArtifactRef[] = [];
  for (const v of Object.values(state.outputs ?? {})) {
    if (isArtifactRef(v) && v.mime.startsWith('image/')) out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (isArtifactRef(x) && x.mime.startsWith('image/')) out.push(x);
  }
  return out.slice(0, 8);
}

export const NodeOutputsPreview = memo(function NodeOutputsPreview({
  nodeId,
  state,
}: {
  nodeId: string;
  state: NodeState;
}) {
  const runId = useActiveRunId();
  const points = useStore(runsStore, (s) => (runId ? s.runs[runId]?.metrics[nodeId] : undefined) ?? NO_POINTS);
  const images = imagesOf(state);
  const preview = images.length === 0 ? state.lastPreview : undefined;
  return (
    <div className="node-outputs">
      {points.length > 0 && <MetricsPanel points={points} compact />}
      {preview && (
        <img
          className="thumb"
          src={artifactUrl(preview.$artifact)}
          alt={preview.name}
          onClick={() => enlarge(artifactUrl(preview.$artifact), preview.name)}
          data-testid={`preview-${nodeId}`}
        />
      )}
      {images.length > 0 && (
        <div className="grid">
          {images.map((a) => (
            <img
              key={a.$artifact}
              className="thumb"
              src={artifactUrl(a.$artifact)}
              alt={a.name}
              onClick={() => enlarge(artifactUrl(a.$artifact), a.name)}
              data-testid={`output-image-${nodeId}`}
            />
          ))}
        </div>
      )}
    </div>
  );
});
