/** A seed: a non-negative integer with a button that draws a new one. */
import { memo } from 'react';
import { paramTestId, type WidgetProps } from './types';

const MAX_SEED = 2 ** 31 - 1;

/** A random seed in [0, 2^31). */
export const randomSeed = (): number => Math.floor(Math.random() * MAX_SEED);

export const SeedWidget = memo(function SeedWidget({ spec, value, onChange, nodeId, invalid }: WidgetProps) {
  return (
    <div className="widget-seed">
      <input
        type="number"
        className={`nodrag ${invalid ? 'invalid' : ''}`}
        min={0}
        step={1}
        value={typeof value === 'number' ? value : ''}
        onChange={(e) => e.target.value !== '' && onChange(Math.max(0, Math.round(Number(e.target.value))))}
        data-testid={paramTestId(nodeId, spec.name)}
        aria-label={spec.label ?? spec.name}
      />
      <button
        type="button"
        className="nodrag icon"
        title="Randomize"
        onClick={() => onChange(randomSeed())}
        data-testid={`${paramTestId(nodeId, spec.name)}-randomize`}
      >
        rnd
      </button>
    </div>
  );
});
