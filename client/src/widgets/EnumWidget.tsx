/**
 * One of the schema's options, those the wired node supports where they depend on it (`optionsWhen`: Sample's
 * samplers by LoadModel's family); a value the schema does not know, or one the wired model lacks, stays visible
 * (marked) instead of vanishing.
 */
import { memo } from 'react';
import { upstreamOptionsKey } from '../graph/upstream-params';
import { useStore } from '../store/createStore';
import { activeTab, editorStore } from '../store/editor';
import { schemasStore } from '../store/schemas';
import { paramTestId, type WidgetProps } from './types';

export const EnumWidget = memo(function EnumWidget({ spec, value, onChange, nodeId, invalid }: WidgetProps) {
  const schemas = useStore(schemasStore, (s) => s.byType);
  const offered = useStore(editorStore, (s) => upstreamOptionsKey(activeTab(s).doc, nodeId, spec, schemas));
  const options = JSON.parse(offered) as string[];
  const current = typeof value === 'string' ? value : '';
  const known = spec.options ?? [];
  const unknown = current !== '' && !options.includes(current);
  const note =
    known.includes(current) && spec.optionsWhen ? `not for the ${spec.optionsWhen.input} wired in` : 'unknown';
  return (
    <select
      className={`nodrag ${invalid || unknown ? 'invalid' : ''}`}
      value={current}
      onChange={(e) => onChange(e.target.value)}
      data-testid={paramTestId(nodeId, spec.name)}
      aria-label={spec.label ?? spec.name}
    >
      {unknown && (
        <option value={current}>
          {current} ({note})
        </option>
      )}
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
});
