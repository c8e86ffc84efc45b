/**
 * An error boundary around one panel: a value a panel cannot render shows a message in that panel instead of
 * unmounting the whole editor (React drops the entire tree on an uncaught render error).
 */
import { Component, type ReactNode } from 'react';

interface Props {
  /** Named in the message, e.g. "Outputs". */
  name: string;
  /** When this changes (another node selected, another run), the panel tries again. */
  resetKey?: unknown;
  children: ReactNode;
}

interface State {
  error?: Error;
  key?: unknown;
}

export class PanelBoundary extends Component<Props, State> {
  override state: State = {};

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    if (state.error && props.resetKey !== state.key) return { error: undefined, key: props.resetKey };
    return state.key === props.resetKey ? null : { key: props.resetKey };
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="panel-error" role="alert" data-testid={`panel-error-${this.props.name}`}>
        <b>{this.props.name} could not be shown.</b>
        <div className="muted">{error.message}</div>
        <button onClick={() => this.setState({ error: undefined })}>Try again</button>
      </div>
    );
  }
}
