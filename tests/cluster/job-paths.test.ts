/** A worker's own path policy over the paths a job names, and the shipped weights found in its own install. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NodeUserError } from '../../nodes/api';
import { SHIPPED_WEIGHTS } from '../../nodes/model/model-value';
import { createPathPolicy } from '../../server/engine/paths';
import { checkJobPaths, localizeShippedWeights } from '../../server/cluster/job-paths';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-job-paths-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const model = (file: string) => ({ kind: 'loraflow.dit', name: 'm', path: file, sha256: 'x' });

it('points the server-side path of the shipped weights at this install', () => {
  const theirs = '/srv/elsewhere/loraflow/ml/dit/weights/emoji-base.safetensors';
  const inputs = localizeShippedWeights({ model: model(theirs), other: [model('/data/own.safetensors')] });
  expect(inputs.model).toMatchObject({ path: SHIPPED_WEIGHTS });
  expect(inputs.other).toEqual([model('/data/own.safetensors')]);
});

it('lets a job read inside the allowed folders and the shipped weights, and refuses anything else by input', () => {
  const inside = path.join(dir, 'inside.safetensors');
  fs.writeFileSync(inside, 'x');
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-outside-'));
  fs.writeFileSync(path.join(outside, 'o.safetensors'), 'x');
  const policy = createPathPolicy([dir]);
  expect(() => checkJobPaths({ model: model(inside) }, policy, 'train')).not.toThrow();
  expect(() => checkJobPaths({ model: model(SHIPPED_WEIGHTS) }, policy, 'train')).not.toThrow();
  let error: unknown;
  try {
    checkJobPaths({ model: model(path.join(outside, 'o.safetensors')) }, policy, 'train');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(NodeUserError);
  expect((error as NodeUserError).message).toMatch(
    /node "train": this worker refuses .*o\.safetensors \(input model\)/,
  );
  expect((error as NodeUserError).param).toBe('model');
  fs.rmSync(outside, { recursive: true, force: true });
});
