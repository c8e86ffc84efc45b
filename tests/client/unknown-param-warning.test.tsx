/**
 * A parameter the node type lacks (`"learningRat"` on TrainLoRA) is shown on the node as a warning with the
 * closest real name; the workflow stays valid (no error), so an older file that carries a removed parameter runs.
 */
import { render, screen } from '@testing-library/react';
import { NodeParamWarnings } from '../../client/src/canvas/NodeParamWarnings';
import { validate } from '../../client/src/graph/validation';
import { activeTab, editorStore, initialEditorState, openTab } from '../../client/src/store/editor';
import { setSchemas } from '../../client/src/store/schemas';
import { quickStart, schemaMap, schemas } from './fixtures';

test('the editor warns on the node about a misspelled parameter and still counts the workflow valid', () => {
  const wf = quickStart();
  const train = wf.nodes.find((n) => n.type === 'TrainLoRA')!;
  train.params = { ...train.params, stepz: 10 };
  editorStore.replace(initialEditorState());
  openTab(wf);
  setSchemas(schemas);
  const v = validate(activeTab().doc, schemaMap);
  expect(v.byNode[train.id] ?? []).toEqual([]);
  expect(v.warningsByNode[train.id]?.map((w) => w.param)).toEqual(['stepz']);
  render(<NodeParamWarnings nodeId={train.id} />);
  expect(screen.getByTestId(`param-warning-${train.id}-stepz`).textContent).toMatch(
    /unknown parameter "stepz" \(did you mean steps\?\)/,
  );
});
