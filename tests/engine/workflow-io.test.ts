/** Workflow files: parse errors that say where, lossless round trips, migrations from format v0. */
import {
  APP_VERSION,
  emptyWorkflow,
  parseWorkflow,
  serializeWorkflow,
  WorkflowParseError,
} from '../../protocol/workflow-io';
import { WORKFLOW_FORMAT_VERSION } from '../../protocol/workflow';

const file = {
  format: 'loraflow.workflow',
  formatVersion: 1,
  appVersion: '0.0.9',
  name: 'mine',
  futureTopLevel: { kept: true },
  nodes: [
    { id: 'a', type: 'Number', params: { value: 3 }, position: { x: 1, y: 2 }, title: 'Steps', futureField: [1, 2] },
    {
      id: 'p',
      type: 'PluginNodeNotInstalled',
      params: { whatever: 'x', nested: ['y'] },
      position: { x: 5, y: 5 },
      color: '#f00',
    },
  ],
  edges: [{ id: 'e1', from: { node: 'a', socket: 'value' }, to: { node: 'p', socket: 'in' }, style: 'dashed' }],
  groups: [{ id: 'g', title: 'Data', bounds: { x: 0, y: 0, width: 10, height: 10 } }],
  notes: [{ id: 'n', text: 'remember', position: { x: 0, y: 0 } }],
};

test('a round trip keeps unknown fields and nodes of unknown types untouched', () => {
  const { workflow, warnings } = parseWorkflow(JSON.stringify(file));
  expect(warnings).toEqual([]);
  const again = JSON.parse(serializeWorkflow(workflow)) as Record<string, unknown>;
  expect(again).toEqual({ ...file, appVersion: APP_VERSION });
});

test('serialisation is stable: the same workflow always gives the same text, known keys first', () => {
  const { workflow } = parseWorkflow(file);
  const text = serializeWorkflow(workflow);
  expect(serializeWorkflow(parseWorkflow(text).workflow)).toBe(text);
  expect(text.indexOf('"format"')).toBeLessThan(text.indexOf('"nodes"'));
  expect(text).toContain('\n  "name": "mine"');
});

test('an empty workflow serialises and parses back', () => {
  const { workflow } = parseWorkflow(serializeWorkflow(emptyWorkflow('new')));
  expect(workflow).toMatchObject({ name: 'new', nodes: [], edges: [], formatVersion: WORKFLOW_FORMAT_VERSION });
});

test.each([
  ['{"nodes": [', /not valid JSON/],
  ['[1, 2]', /expected a workflow object, got an array/],
  ['{"format":"something-else","formatVersion":1}', /format: expected "loraflow.workflow"/],
  ['{"name":"x"}', /formatVersion: no formatVersion/],
  ['{"format":"loraflow.workflow","formatVersion":1,"nodes":{}}', /nodes: expected an array/],
  [
    '{"format":"loraflow.workflow","formatVersion":1,"nodes":[{"type":"Number"}]}',
    /nodes\[0\]\.id: expected a non-empty string, got undefined/,
  ],
  [
    '{"format":"loraflow.workflow","formatVersion":1,"nodes":[{"id":"a","type":"X","params":[1]}]}',
    /nodes\[0\]\.params: expected parameters by name/,
  ],
  [
    '{"format":"loraflow.workflow","formatVersion":1,"nodes":[],"edges":[{"from":{"node":"a"},"to":{"node":"b","socket":"x"}}]}',
    /edges\[0\]\.from\.socket/,
  ],
])('malformed file %s is refused with an error saying where', (text, message) => {
  expect(() => parseWorkflow(text)).toThrow(WorkflowParseError);
  expect(() => parseWorkflow(text)).toThrow(message);
});

test('repairable problems load with warnings: missing positions, missing edge ids, duplicate ids', () => {
  const { workflow, warnings } = parseWorkflow({
    format: 'loraflow.workflow',
    formatVersion: 1,
    nodes: [
      { id: 'a', type: 'X' },
      { id: 'a', type: 'Y', position: { x: 1, y: 1 } },
    ],
    edges: [{ from: { node: 'a', socket: 'o' }, to: { node: 'a', socket: 'i' } }],
  });
  expect(workflow.nodes[0]!.position).toEqual({ x: 0, y: 0 });
  expect(workflow.edges[0]!.id).toBe('e0');
  expect(workflow.name).toBe('Untitled');
  expect(warnings.join('\n')).toMatch(/nodes\[0\]\.position/);
  expect(warnings.join('\n')).toMatch(/duplicate node id "a"/);
});

test('a v0 file (positional params, tuple positions and links) migrates to parameters by name', () => {
  const v0 = {
    version: 0,
    name: 'old',
    nodes: [
      { id: 'n', type: 'Number', paramNames: ['value'], params: [7], pos: [10, 20], title: 'Seven' },
      { id: 't', type: 'TextTemplate', paramNames: ['template'], params: ['{a}!'], pos: [30, 40] },
    ],
    links: [['n', 'value', 't', 'a']],
  };
  const { workflow, warnings } = parseWorkflow(JSON.stringify(v0));
  expect(warnings).toEqual([expect.stringMatching(/^migrated v0 -> v1/)]);
  expect(workflow.formatVersion).toBe(1);
  expect(workflow.nodes[0]).toEqual({
    id: 'n',
    type: 'Number',
    params: { value: 7 },
    position: { x: 10, y: 20 },
    title: 'Seven',
  });
  expect(workflow.edges).toEqual([{ id: 'e0', from: { node: 'n', socket: 'value' }, to: { node: 't', socket: 'a' } }]);
  expect(workflow.groups).toEqual([]);
  expect(workflow.notes).toEqual([]);
});

test('a file from a newer format loads with a warning and keeps its version', () => {
  const { workflow, warnings } = parseWorkflow({ ...file, formatVersion: 99 });
  expect(warnings[0]).toMatch(/newer loraflow/);
  expect(workflow.formatVersion).toBe(99);
});

test('a file nested deeper than the limit is refused naming where, also from text (loraflow validate reads text)', () => {
  const text = JSON.stringify({ ...file, extra: 'DEEP' }).replace('"DEEP"', '['.repeat(5000) + ']'.repeat(5000));
  expect(() => parseWorkflow(text)).toThrow(/^extra\[0\]\[0\].*: nested more than 64 levels deep/);
});

test('ids the file gives its edges are kept; the others get the next free e<n>, however they collide', () => {
  const edge = (id?: string) => ({
    ...(id === undefined ? {} : { id }),
    from: { node: 'a', socket: 'value' },
    to: { node: 'p', socket: 'x' },
  });
  const { workflow } = parseWorkflow({ ...file, edges: [edge('e2'), edge(), edge('e1'), edge(), edge('e2')] });
  expect(workflow.edges.map((e) => e.id)).toEqual(['e2', 'e3', 'e1', 'e4', 'e5']);
});

test('a key "__proto__" in the file survives a save as data', () => {
  const text = '{"format":"loraflow.workflow","formatVersion":1,"nodes":[],"edges":[],"__proto__":{"x":1}}';
  const saved = JSON.parse(serializeWorkflow(parseWorkflow(text).workflow)) as object;
  expect(Object.getOwnPropertyDescriptor(saved, '__proto__')?.value).toEqual({ x: 1 });
});
