/** What every parameter widget receives. */
import type { ParamSpec, ParamValue } from '../../../protocol/schema';

export interface WidgetProps {
  spec: ParamSpec;
  value: ParamValue | undefined;
  onChange: (value: ParamValue) => void;
  /** The node the parameter belongs to (the path picker and uploads need it). */
  nodeId: string;
  invalid?: boolean;
}

/** A test id for a parameter's input: `param-<node>-<name>`. */
export const paramTestId = (nodeId: string, name: string): string => `param-${nodeId}-${name}`;
