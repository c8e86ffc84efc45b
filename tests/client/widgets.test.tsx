import { act, fireEvent, render, screen } from '@testing-library/react';
import { ParamField } from '../../client/src/widgets/ParamField';
import { activeTab, editorStore, initialEditorState, openTab, undo } from '../../client/src/store/editor';
import type { ParamSpec } from '../../protocol/schema';
import type { ValidationError } from '../../protocol/validation-types';
import { quickStart, train } from './fixtures';

const spec = (name: string): ParamSpec => train.params.find((p) => p.name === name)!;
const params = () => activeTab().doc.nodes.find((n) => n.id === 'train')!.params;

function field(name: string, errors: ValidationError[] = []) {
  return render(<ParamField nodeId="train" spec={spec(name)} value={params()[name]} errors={errors} />);
}

beforeEach(() => {
  editorStore.replace(initialEditorState());
  openTab(quickStart());
});

describe('parameter widgets', () => {
  it('a bounded number has a slider and a box; editing changes the workflow and undo restores it', () => {
    field('steps');
    expect(screen.getByTestId('param-train-steps-slider')).toBeTruthy();
    fireEvent.change(screen.getByTestId('param-train-steps'), { target: { value: '250' } });
    expect(params().steps).toBe(250);
    act(() => undo());
    expect(params().steps).toBe(100);
  });

  it('an int widget rounds what is typed', () => {
    field('steps');
    fireEvent.change(screen.getByTestId('param-train-steps'), { target: { value: '12.7' } });
    expect(params().steps).toBe(13);
  });

  it('the seed can be randomized', () => {
    field('seed');
    fireEvent.click(screen.getByTestId('param-train-seed-randomize'));
    expect(params().seed).not.toBe(1);
    expect(Number.isInteger(params().seed)).toBe(true);
  });

  it('options, booleans, lists and multi-line text', () => {
    field('optimizer');
    fireEvent.change(screen.getByTestId('param-train-optimizer'), { target: { value: 'sgd' } });
    field('ema');
    fireEvent.click(screen.getByTestId('param-train-ema'));
    field('prompts');
    fireEvent.change(screen.getByTestId('param-train-prompts'), { target: { value: 'a cat\n\na dog\n' } });
    field('notes');
    fireEvent.change(screen.getByTestId('param-train-notes'), { target: { value: 'line 1\nline 2' } });
    expect(params()).toMatchObject({
      optimizer: 'sgd',
      ema: true,
      prompts: ['a cat', 'a dog'],
      notes: 'line 1\nline 2',
    });
  });

  it('shows the tooltip, the advice and the validation error on the parameter', () => {
    const error: ValidationError = {
      kind: 'param-range',
      nodeId: 'train',
      param: 'lr',
      message: 'train.lr: expected between 0 and 1, got number 3',
    };
    field('lr', [error]);
    expect(screen.getByText('advice')).toBeTruthy();
    expect(screen.getByText('SD1.5: 1e-4')).toBeTruthy();
    expect(screen.getByTestId('param-error-train-lr').textContent).toContain('expected between 0 and 1');
    expect(screen.getByTestId('param-train-lr').className).toContain('invalid');
    field('steps');
    expect(screen.getAllByTitle('Training steps.').length).toBeGreaterThan(0);
  });
});
