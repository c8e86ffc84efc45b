/**
 * QA session 5: what `POST /api/runs` on a real server refuses up front, with a 400 naming the node and the
 * parameter, before anything trains: output folders and names the path policy refuses (S5-F10: the engine refused
 * them only when Save ran, after training), learning rates beyond any optimizer's (S5-F9), and trigger words or
 * output names with control or bidi-formatting characters (S5-F11: "\u202Eevil" showed as "live").
 */
import { get, post, readExample, useServer } from './harness';
import type { WorkflowFile } from '../../protocol/workflow';
import type { ParamValue } from '../../protocol/schema';

jest.setTimeout(60_000);

const server = useServer();
const quickstart = readExample('quickstart-style-lora');

/** The quick start with one parameter changed. */
function withParam(nodeId: string, param: string, value: ParamValue): WorkflowFile {
  const wf = structuredClone(quickstart);
  const node = wf.nodes.find((n) => n.id === nodeId)!;
  node.params[param] = value;
  return wf;
}

async function refusal(nodeId: string, param: string, value: ParamValue) {
  const wf = withParam(nodeId, param, value);
  // The embedding's rate applies (and is checked) with pivotal tuning on.
  if (param === 'embeddingLr') wf.nodes.find((n) => n.id === nodeId)!.params.pivotal = true;
  const res = await post(`${server.url}/api/runs`, { workflow: wf });
  return {
    status: res.status,
    errors: (res.body?.errors ?? []) as { nodeId: string; param?: string; message: string }[],
  };
}

test.each([
  ['save', 'folder', '../../../tmp/qa5-evil-out', /outside the allowed folders/],
  ['save', 'name', '../../x', /name template/],
  ['train', 'outputName', '../../pwn', /the name "\.\.\/\.\.\/pwn"/],
])(
  'a run with %s.%s = %j is refused before it trains, naming the node and the parameter',
  async (node, param, value, why) => {
    const { status, errors } = await refusal(node, param, value);
    expect(status).toBe(400);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ nodeId: node, param });
    expect(errors[0]!.message).toContain(`node "${node}"`);
    expect(errors[0]!.message).toContain(`parameter "${param}"`);
    expect(errors[0]!.message).toMatch(why);
  },
);

test('nothing of the refused runs was queued', async () => {
  const runs = await get(`${server.url}/api/runs`);
  expect(runs.status).toBe(200);
  expect(JSON.stringify(runs.body)).not.toContain('Quick start');
});

test.each(['learningRate', 'textEncoderLr', 'embeddingLr'])(
  'TrainLoRA.%s = 1e9 is refused; 1 (Prodigy) is not',
  async (param) => {
    const { status, errors } = await refusal('train', param, 1e9);
    expect(status).toBe(400);
    expect(errors[0]).toMatchObject({ nodeId: 'train', param, kind: 'param-range' });
    expect(errors[0]!.message).toContain(`"${param}"`);
    expect(errors.map((e) => e.param).filter((p) => p === param)).toHaveLength(1);
    const prodigy = await post(`${server.url}/api/runs`, {
      workflow: withParam('train', param, 1),
      targets: ['images'],
    });
    expect(prodigy.status).toBe(201);
  },
);

test.each([
  ['caption', 'trigger', '\u202eevil', 'U+202E'],
  ['caption', 'trigger', 'xyz\u2066style', 'U+2066'],
  ['caption', 'trigger', 'xyz\u0007style', 'U+0007'],
  ['train', 'outputName', 'xyz\u200fstyle', 'U+200F'],
])('%s.%s with a hidden character (%j) is refused naming the character', async (node, param, value, code) => {
  const { status, errors } = await refusal(node, param, value);
  expect(status).toBe(400);
  expect(errors[0]).toMatchObject({ nodeId: node, param });
  expect(errors[0]!.message).toContain(code);
});

test('ordinary Unicode stays valid in triggers and names: emoji, accents, an emoji ZWJ sequence', async () => {
  const wf = withParam('caption', 'trigger', 'xyz_✨style');
  wf.nodes.find((n) => n.id === 'train')!.params.outputName = 'café_👩‍🔬';
  const res = await post(`${server.url}/api/runs`, { workflow: wf, targets: ['images'] });
  expect(res.status).toBe(201);
});
