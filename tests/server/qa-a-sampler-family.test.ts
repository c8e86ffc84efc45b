/**
 * A sampler that the model family wired into Sample does not have (QA-SD, helper A): Sample's `sampler` offers the
 * emoji model's `heun` and SD's `euler_ancestral` / `dpmpp_2m_karras` side by side, and `heun` on an SD 1.5
 * LoadModel passed validation, so a run (after a training, perhaps) failed only when Sample started. Validation
 * now follows the `model` wire (through reroutes) to LoadModel's family and refuses it up front, naming the node,
 * the parameter and the samplers that family has.
 *
 *   [LoadModel family=sd15] --model--> (Reroute) --> [Sample sampler=heun]
 */
import { post, startServer, tempDir, workflow, type ServerProcess } from './harness';

jest.setTimeout(60_000);

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer(tempDir());
});
afterAll(async () => server.stop());

type Refusal = { error: string; errors: { nodeId: string; param?: string; kind: string; message: string }[] };

const submit = (family: string, sampler: string, viaReroute = false) =>
  post(`${server.url}/api/runs`, {
    workflow: workflow(
      'sampler',
      [
        ['load', 'LoadModel', { family, checkpoint: 'nowhere.safetensors' }],
        ...(viaReroute ? [['dot', 'Reroute'] as [string, string]] : []),
        ['sample', 'Sample', { prompts: ['a cat'], sampler, steps: 1 }],
      ],
      viaReroute ? ['load.model->dot.in', 'dot.out->sample.model'] : ['load.model->sample.model'],
    ),
  });

test.each([
  ['sd15', 'heun', false, /"euler", "euler_ancestral", "dpmpp_2m_karras"/],
  ['sdxl', 'heun', true, /"euler", "euler_ancestral", "dpmpp_2m_karras"/],
  ['emoji', 'dpmpp_2m_karras', false, /"euler", "heun"/],
])('a %s model with sampler %s is refused by validation (reroute: %s)', async (family, sampler, reroute, allowed) => {
  const res = await submit(family, sampler, reroute);
  expect(res.status).toBe(400);
  const body = res.body as Refusal;
  const error = body.errors.find((e) => e.param === 'sampler');
  expect(error).toMatchObject({ nodeId: 'sample', kind: 'param-option' });
  expect(error?.message).toContain('node "sample" (Sample), parameter "sampler"');
  expect(error?.message).toMatch(allowed);
  expect(error?.message).toContain(`"${sampler}"`);
  expect(error?.message).toContain('"load"');
});

test('a sampler the family has is not refused', async () => {
  const res = await submit('sd15', 'euler_ancestral');
  const errors = (res.body as Partial<Refusal>).errors ?? [];
  expect(errors.filter((e) => e.param === 'sampler')).toEqual([]);
});
