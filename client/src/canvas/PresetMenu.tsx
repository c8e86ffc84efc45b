/** Applies one of a node's named parameter presets (e.g. TrainLoRA's style/character/likeness) as one undo step. */
import { memo } from 'react';
import type { ParamValue } from '../../../protocol/schema';
import { edit } from '../store/editor';
import { setParams } from '../graph/edits';

interface Props {
  nodeId: string;
  presets: Record<string, Record<string, ParamValue>>;
}

export const PresetMenu = memo(function PresetMenu({ nodeId, presets }: Props) {
  return (
    <select
      className="nodrag preset"
      value=""
      title="Apply a preset"
      onChange={(e) => {
        const values = presets[e.target.value];
        if (values) edit(setParams(nodeId, values));
      }}
      data-testid={`preset-${nodeId}`}
    >
      <option value="">preset…</option>
      {Object.keys(presets).map((name) => (
        <option key={name} value={name}>
          {name}
        </option>
      ))}
    </select>
  );
});
