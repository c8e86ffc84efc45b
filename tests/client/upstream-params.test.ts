/**
 * Parameters conditioned on what is wired in (`visibleWhen.input`) follow the wire back through reroutes, and show
 * when the source cannot tell:
 *
 *   model(LoadModel family) ──> reroute(Reroute) ──> train(T: sdOnly visible for family sd15)
 */
import type { NodeSchema, ParamSpec } from '../../protocol/schema';
import type { WorkflowFile } from '../../protocol/workflow';
import { shownByUpstream, upstreamKey } from '../../client/src/graph/upstream-params';

const sdOnly: ParamSpec = {
  name: 'sdOnly',
  kind: 'number',
  default: 0,
  visibleWhen: { input: 'model', param: 'family', equals: ['sd15'] },
};
const schema = (type: string, params: ParamSpec[]): NodeSchema =>
  ({
    type,
    version: 1,
    category: 't',
    title: type,
    description: '',
    inputs: [],
    outputs: [],
    params,
    resource: 'cpu',
    cacheable: true,
  }) as NodeSchema;
const schemas = new Map<string, NodeSchema>([
  ['LoadModel', schema('LoadModel', [{ name: 'family', kind: 'enum', options: ['emoji', 'sd15'], default: 'emoji' }])],
  ['Reroute', schema('Reroute', [])],
  ['T', schema('T', [sdOnly])],
]);

function doc(family: string | undefined, wired = true): WorkflowFile {
  const params: Record<string, string> = family === undefined ? {} : { family };
  return {
    format: 'loraflow.workflow',
    formatVersion: 1,
    appVersion: '0.1.0',
    name: 't',
    nodes: [
      { id: 'model', type: 'LoadModel', params, position: { x: 0, y: 0 } },
      { id: 'reroute', type: 'Reroute', params: {}, position: { x: 0, y: 0 } },
      { id: 'train', type: 'T', params: {}, position: { x: 0, y: 0 } },
    ],
    edges: wired
      ? [
          { id: 'e1', from: { node: 'model', socket: 'model' }, to: { node: 'reroute', socket: 'in' } },
          { id: 'e2', from: { node: 'reroute', socket: 'out' }, to: { node: 'train', socket: 'model' } },
        ]
      : [],
    groups: [],
    notes: [],
  };
}

const shows = (d: WorkflowFile) =>
  shownByUpstream(sdOnly, JSON.parse(upstreamKey(d, 'train', schemas.get('T')!, schemas)) as Record<string, never>);

test('the parameter shows for the family it names, through a reroute', () => expect(shows(doc('sd15'))).toBe(true));
test('it hides for another family, and for the default one when the file leaves it out', () => {
  expect(shows(doc('emoji'))).toBe(false);
  expect(shows(doc(undefined))).toBe(false);
});
test('with nothing wired in, nothing says to hide it', () => expect(shows(doc('emoji', false))).toBe(true));
