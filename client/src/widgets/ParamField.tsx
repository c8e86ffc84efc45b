/** One parameter row: label with the schema's tooltip, the widget, the seed guide's hint and validation errors. */
import { memo, useCallback } from 'react';
import type { ParamSpec, ParamValue } from '../../../protocol/schema';
import type { ValidationError } from '../../../protocol/validation-types';
import { edit } from '../store/editor';
import { setParam } from '../graph/edits';
import { FieldErrors } from './FieldErrors';
import { ParamWidget } from './ParamWidget';

interface Props {
  nodeId: string;
  spec: ParamSpec;
  value: ParamValue | undefined;
  errors: readonly ValidationError[];
}

export const ParamField = memo(function ParamField({ nodeId, spec, value, errors }: Props) {
  const onChange = useCallback(
    (v: ParamValue) => edit(setParam(nodeId, spec.name, v), `param:${nodeId}:${spec.name}`),
    [nodeId, spec.name],
  );
  return (
    <div className={`param ${errors.length ? 'has-error' : ''}`} data-testid={`field-${nodeId}-${spec.name}`}>
      <label title={spec.tooltip}>
        {spec.label ?? spec.name}
        {spec.tooltip && <span className="tip"> ?</span>}
      </label>
      <ParamWidget spec={spec} value={value} onChange={onChange} nodeId={nodeId} invalid={errors.length > 0} />
      {spec.hint && (
        <details className="hint nodrag">
          <summary>advice</summary>
          <pre>{spec.hint}</pre>
        </details>
      )}
      <FieldErrors nodeId={nodeId} param={spec.name} errors={errors} />
    </div>
  );
});
