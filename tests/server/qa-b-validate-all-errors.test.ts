/**
 * QA (helper B): `loraflow validate` printed a workflow's validation errors and stopped; its path errors (a folder
 * outside the allowed ones, an output name that climbs out) came only on the next round, once the user had fixed
 * the first. It now reports all of them at once, with the same combination `POST /api/runs` answers (commit
 * 7e527ae, server/queue/submission.ts workflowErrors), plus validate's own check that a folder to read exists.
 *
 *   quickstart: train.steps = -5, train.outputName = "../../pwn", images.folder = "../../etc", save.folder = "/tmp/…"
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO, runLoraflow, tempDir } from './harness';
import type { WorkflowFile } from '../../protocol/workflow';

jest.setTimeout(60_000);

const quickstart = JSON.parse(
  fs.readFileSync(path.join(REPO, 'workflows/quickstart-style-lora.json'), 'utf8'),
) as WorkflowFile;

test('validate reports the wrong value and every refused path in one round', async () => {
  const dir = tempDir();
  const wf = structuredClone(quickstart);
  const train = wf.nodes.find((n) => n.id === 'train')!;
  train.params.steps = -5;
  train.params.outputName = '../../pwn';
  wf.nodes.find((n) => n.type === 'LoadImages')!.params.folder = '../../etc';
  wf.nodes.find((n) => n.id === 'save')!.params.folder = '/tmp/qa-b-elsewhere';
  const file = path.join(dir, 'wf.json');
  fs.writeFileSync(file, JSON.stringify(wf));
  const res = await runLoraflow(['validate', file, '--data', path.join(dir, 'data')]);
  expect(res.code).toBe(1);
  const imagesId = wf.nodes.find((n) => n.type === 'LoadImages')!.id;
  expect(res.stdout).toMatch(/train: .*steps/);
  expect(res.stdout).toMatch(/node "train" .*parameter "outputName"/);
  expect(res.stdout).toMatch(new RegExp(`node "${imagesId}" .*parameter "folder".*outside`));
  expect(res.stdout).toMatch(/node "save" .*parameter "folder".*outside/);
  expect(res.stdout).toMatch(/^4 validation errors:/m);
});
