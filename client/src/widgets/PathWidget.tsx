/** A folder or file path with a browser limited to the server's allowed roots. */
import { memo } from 'react';
import { openPicker } from '../store/ui';
import { paramTestId, type WidgetProps } from './types';

export const PathWidget = memo(function PathWidget({ spec, value, onChange, nodeId, invalid }: WidgetProps) {
  const path = typeof value === 'string' ? value : '';
  return (
    <div className="widget-path">
      <input
        type="text"
        className={`nodrag ${invalid ? 'invalid' : ''}`}
        value={path}
        onChange={(e) => onChange(e.target.value)}
        data-testid={paramTestId(nodeId, spec.name)}
        aria-label={spec.label ?? spec.name}
        placeholder={spec.pathKind ?? 'path'}
      />
      <button
        type="button"
        className="nodrag icon"
        title={`Browse for a ${spec.pathKind ?? 'folder'}`}
        onClick={() => openPicker({ nodeId, param: spec.name, pathKind: spec.pathKind ?? 'folder', start: path })}
        data-testid={`${paramTestId(nodeId, spec.name)}-browse`}
      >
        …
      </button>
    </div>
  );
});
