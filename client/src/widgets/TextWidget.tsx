/** One-line strings and multi-line text. */
import { memo } from 'react';
import { paramTestId, type WidgetProps } from './types';

export const TextWidget = memo(function TextWidget({ spec, value, onChange, nodeId, invalid }: WidgetProps) {
  const common = {
    className: `nodrag nowheel ${invalid ? 'invalid' : ''}`,
    value: typeof value === 'string' ? value : '',
    'data-testid': paramTestId(nodeId, spec.name),
    'aria-label': spec.label ?? spec.name,
  };
  if (spec.kind === 'text') return <textarea rows={3} {...common} onChange={(e) => onChange(e.target.value)} />;
  return <input type="text" {...common} onChange={(e) => onChange(e.target.value)} />;
});
