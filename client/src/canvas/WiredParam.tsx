/**
 * The field of a parameter converted to an input: no widget (the wire decides), but where its value comes from, and
 * its errors (nothing wired, a wire of the wrong type). The value itself is checked when the node runs.
 */
import { memo } from 'react';
import type { ParamSpec } from '../../../protocol/schema';
import { paramSocketName } from '../../../protocol/param-inputs';
import type { ValidationError } from '../../../protocol/validation-types';
import { useStore } from '../store/createStore';
import { activeTab, editorStore } from '../store/editor';
import { FieldErrors } from '../widgets/FieldErrors';

interface Props {
  nodeId: string;
  spec: ParamSpec;
  errors: readonly ValidationError[];
}

export const WiredParam = memo(function WiredParam({ nodeId, spec, errors }: Props) {
  const socket = paramSocketName(spec.name);
  const edge = useStore(editorStore, (s) =>
    activeTab(s).doc.edges.find((e) => e.to.node === nodeId && e.to.socket === socket),
  );
  return (
    <div
      className={`param wired ${errors.length ? 'has-error' : ''}`}
      data-testid={`field-${nodeId}-${spec.name}`}
      data-wired={edge ? `${edge.from.node}.${edge.from.socket}` : ''}
    >
      <label title={spec.tooltip}>{spec.label ?? spec.name}</label>
      <span className="wired-from" data-testid={`wired-${nodeId}-${spec.name}`}>
        {edge ? `← ${edge.from.node}.${edge.from.socket}` : '← connect a wire'}
      </span>
      <FieldErrors nodeId={nodeId} param={spec.name} errors={errors} />
    </div>
  );
});
