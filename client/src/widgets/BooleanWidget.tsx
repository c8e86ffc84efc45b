/** A checkbox. */
import { memo } from 'react';
import { paramTestId, type WidgetProps } from './types';

export const BooleanWidget = memo(function BooleanWidget({ spec, value, onChange, nodeId }: WidgetProps) {
  return (
    <input
      type="checkbox"
      className="nodrag"
      checked={value === true}
      onChange={(e) => onChange(e.target.checked)}
      data-testid={paramTestId(nodeId, spec.name)}
      aria-label={spec.label ?? spec.name}
    />
  );
});
