/**
 * QA S8-F8: POST /api/runs (the editor's Run, `loraflow run`) answered a workflow with a wrong value and a refused
 * path with the wrong value alone: the path policy ran only once validation passed, so the user fixed steps = -5,
 * ran again, and only then heard that the output name "../../pwn" and the folder "/tmp/…" are refused. Every error
 * now comes in the one 400, as "all errors at once" promises; a parameter validation names is not named twice.
 */
import { post, readExample, useServer } from './harness';

jest.setTimeout(60_000);

const server = useServer();
const quickstart = readExample('quickstart-style-lora');

test('a wrong value and two refused paths come back together in one 400', async () => {
  const wf = structuredClone(quickstart);
  const train = wf.nodes.find((n) => n.id === 'train')!;
  train.params.steps = -5;
  train.params.outputName = '../../pwn';
  wf.nodes.find((n) => n.id === 'save')!.params.folder = '/tmp/qa8-elsewhere';
  const res = await post(`${server.url}/api/runs`, { workflow: wf });
  expect(res.status).toBe(400);
  const named = (res.body.errors as { nodeId: string; param?: string }[]).map((e) => `${e.nodeId}.${e.param}`);
  expect(named.sort()).toEqual(['save.folder', 'train.outputName', 'train.steps']);
});

test('a parameter both checks refuse is named once', async () => {
  const wf = structuredClone(quickstart);
  wf.nodes.find((n) => n.id === 'train')!.params.outputName = 42; // not a string: validation and the path check refuse it
  const res = await post(`${server.url}/api/runs`, { workflow: wf });
  expect(res.status).toBe(400);
  const named = (res.body.errors as { nodeId: string; param?: string }[]).map((e) => `${e.nodeId}.${e.param}`);
  expect(named).toEqual(['train.outputName']);
});
