/** The parameter fields of a node (those whose `visibleWhen` holds); a parameter converted to an input shows its wire. */
import { memo } from 'react';
import type { NodeSchema, ParamValue } from '../../../protocol/schema';
import type { ValidationError } from '../../../protocol/validation-types';
import { isParamVisible } from '../../../protocol/validate';
import { shownByUpstream, upstreamKey } from '../graph/upstream-params';
import { useStore } from '../store/createStore';
import { activeTab, editorStore } from '../store/editor';
import { schemasStore } from '../store/schemas';
import { ParamField } from '../widgets/ParamField';
import { WiredParam } from './WiredParam';

interface Props {
  nodeId: string;
  schema: NodeSchema;
  params: Record<string, ParamValue>;
  errors: readonly ValidationError[];
  /** Names of the parameters converted to inputs (protocol/param-inputs.ts). */
  wired: readonly string[];
}

const NONE: ValidationError[] = [];

export const NodeParams = memo(function NodeParams({ nodeId, schema, params, errors, wired }: Props) {
  const byParam = new Map<string, ValidationError[]>();
  for (const e of errors) if (e.param) byParam.set(e.param, [...(byParam.get(e.param) ?? []), e]);
  // The server's rule: a controlling parameter left out of the file has its default (protocol/validate.ts).
  // And what is wired in: SD-only settings hide on the built-in model (graph/upstream-params.ts).
  const schemas = useStore(schemasStore, (s) => s.byType);
  const upstream = useStore(editorStore, (s) => upstreamKey(activeTab(s).doc, nodeId, schema, schemas));
  const shown = JSON.parse(upstream) as Record<string, ParamValue | undefined>;
  const visible = schema.params.filter((p) => isParamVisible(schema, p, params) && shownByUpstream(p, shown));
  // A parameter left out of the file takes its default (protocol/workflow.ts): show that value, not an empty box.
  return (
    <div className="params">
      {visible.map((spec) =>
        wired.includes(spec.name) ? (
          <WiredParam key={spec.name} nodeId={nodeId} spec={spec} errors={byParam.get(spec.name) ?? NONE} />
        ) : (
          <ParamField
            key={spec.name}
            nodeId={nodeId}
            spec={spec}
            value={params[spec.name] ?? spec.default}
            errors={byParam.get(spec.name) ?? NONE}
          />
        ),
      )}
    </div>
  );
});
