/** One of the schema's options; a value the schema does not know stays visible (marked) instead of vanishing. */
import { memo } from 'react';
import { paramTestId, type WidgetProps } from './types';

export const EnumWidget = memo(function EnumWidget({ spec, value, onChange, nodeId, invalid }: WidgetProps) {
  const options = spec.options ?? [];
  const current = typeof value === 'string' ? value : '';
  const unknown = current !== '' && !options.includes(current);
  return (
    <select
      className={`nodrag ${invalid || unknown ? 'invalid' : ''}`}
      value={current}
      onChange={(e) => onChange(e.target.value)}
      data-testid={paramTestId(nodeId, spec.name)}
      aria-label={spec.label ?? spec.name}
    >
      {unknown && <option value={current}>{current} (unknown)</option>}
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
});
