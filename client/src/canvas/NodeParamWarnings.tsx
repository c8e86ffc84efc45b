/** Parameters in the file that the node type lacks (a typo, or one a newer version removed): ignored, said so. */
import { memo } from 'react';
import { useNodeValidationWarnings } from './useNodeRun';

export const NodeParamWarnings = memo(function NodeParamWarnings({ nodeId }: { nodeId: string }) {
  const warnings = useNodeValidationWarnings(nodeId);
  if (warnings.length === 0) return null;
  return (
    <>
      {warnings.map((w) => (
        <div
          key={w.message}
          className="node-warning"
          title={w.message}
          data-testid={`param-warning-${nodeId}-${w.param ?? ''}`}
        >
          {w.message.slice(w.message.indexOf('unknown parameter'))}
        </div>
      ))}
    </>
  );
});
