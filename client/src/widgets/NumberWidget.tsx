/** Numbers (float or int): a slider beside the box when both bounds are known. */
import { memo, useEffect, useState } from 'react';
import { paramTestId, type WidgetProps } from './types';

function parse(text: string, int: boolean): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) return undefined;
  return int ? Math.round(n) : n;
}

export const NumberWidget = memo(function NumberWidget({ spec, value, onChange, nodeId, invalid }: WidgetProps) {
  const int = spec.kind === 'int';
  const [text, setText] = useState(String(value ?? ''));
  useEffect(() => setText(String(value ?? '')), [value]);
  const bounded = spec.min !== undefined && spec.max !== undefined && spec.slider !== false;
  const step = spec.step ?? (int ? 1 : 'any');
  const commit = (t: string): void => {
    setText(t);
    const n = parse(t, int);
    if (n !== undefined && n !== value) onChange(n);
  };
  return (
    <div className="widget-number">
      {bounded && (
        <input
          type="range"
          className="nodrag"
          min={spec.min}
          max={spec.max}
          step={spec.step ?? (int ? 1 : ((spec.max ?? 1) - (spec.min ?? 0)) / 100)}
          value={typeof value === 'number' ? value : (spec.min ?? 0)}
          onChange={(e) => commit(e.target.value)}
          data-testid={`${paramTestId(nodeId, spec.name)}-slider`}
          aria-label={`${spec.label ?? spec.name} slider`}
        />
      )}
      <input
        type="number"
        className={`nodrag ${invalid ? 'invalid' : ''}`}
        min={spec.min}
        max={spec.max}
        step={step}
        value={text}
        onChange={(e) => commit(e.target.value)}
        // Leaving the box with text that is no number (empty, "abc", 1e400) shows the value still in the workflow
        // again, instead of an empty box over a kept value (QA S6-F19).
        onBlur={() => setText(String(value ?? ''))}
        data-testid={paramTestId(nodeId, spec.name)}
        aria-label={spec.label ?? spec.name}
      />
    </div>
  );
});
