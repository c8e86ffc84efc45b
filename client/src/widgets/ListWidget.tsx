/** A list of strings (prompts): one item per line. */
import { memo, useEffect, useState } from 'react';
import { paramTestId, type WidgetProps } from './types';

/** The list a text area holds: one item per non-empty line. */
export const linesToList = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

export const ListWidget = memo(function ListWidget({ spec, value, onChange, nodeId, invalid }: WidgetProps) {
  const list = Array.isArray(value) ? value : [];
  const [text, setText] = useState(list.join('\n'));
  // Follow outside changes (undo, presets) unless they only differ by the blank lines being typed.
  useEffect(() => {
    if (linesToList(text).join('\n') !== list.join('\n')) setText(list.join('\n'));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <textarea
      rows={Math.min(6, Math.max(2, list.length + 1))}
      className={`nodrag nowheel ${invalid ? 'invalid' : ''}`}
      value={text}
      placeholder="one per line"
      onChange={(e) => {
        setText(e.target.value);
        const next = linesToList(e.target.value);
        if (next.join('\n') !== list.join('\n')) onChange(next);
      }}
      data-testid={paramTestId(nodeId, spec.name)}
      aria-label={spec.label ?? spec.name}
    />
  );
});
