/**
 * QA S6-F19: typing something that is no number into a number field (`abc`, an empty box, `1e400`) blanked the
 * field while the workflow kept the old value. On leaving the field it now shows the value the workflow holds; a
 * rounded whole number (`5.5` in Steps) keeps showing the 6 it became.
 */
import { fireEvent, render, screen } from '@testing-library/react';
import { ParamField } from '../../client/src/widgets/ParamField';
import { activeTab, editorStore, initialEditorState, openTab } from '../../client/src/store/editor';
import { quickStart, train } from './fixtures';

const params = () => activeTab().doc.nodes.find((n) => n.id === 'train')!.params;

/** The Steps field, re-rendered with the workflow's value after each change, as the node does. */
function steps() {
  const spec = train.params.find((p) => p.name === 'steps')!;
  const view = render(<ParamField nodeId="train" spec={spec} value={params().steps} errors={[]} />);
  const rerender = () => view.rerender(<ParamField nodeId="train" spec={spec} value={params().steps} errors={[]} />);
  return { box: () => screen.getByTestId('param-train-steps') as HTMLInputElement, rerender };
}

beforeEach(() => {
  editorStore.replace(initialEditorState());
  openTab(quickStart());
});

test.each(['', 'abc', '1e400'])('"%s" then Tab: the box shows the kept value again', (typed) => {
  const f = steps();
  fireEvent.change(f.box(), { target: { value: '1000' } });
  f.rerender();
  fireEvent.change(f.box(), { target: { value: typed } });
  fireEvent.blur(f.box());
  expect(params().steps).toBe(1000);
  expect(f.box().value).toBe('1000');
});

test('5.5 in a whole-number field shows as the 6 it became once the field is left', () => {
  const f = steps();
  fireEvent.change(f.box(), { target: { value: '5.5' } });
  f.rerender();
  fireEvent.blur(f.box());
  expect(params().steps).toBe(6);
  expect(f.box().value).toBe('6');
});
