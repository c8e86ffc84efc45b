/**
 * Sample's LoRA strength rows are checked by validation (QA-SD S8): `loraflow validate` said "valid" for
 * `--set sample.loraStrengths=abc`, and `run` trained first and then failed in Sample ('strength row "abc" is not a
 * number'). Now validate and run refuse it before anything runs, naming the node and the parameter.
 *
 *   workflows/sd15-style-lora.json with a checkpoint and a dataset folder chosen, Sample.loraStrengths = …
 */
import fs from 'node:fs';
import path from 'node:path';
import { examplePath, runLoraflow, tempDir } from './harness';

jest.setTimeout(60_000);

const data = tempDir();
fs.mkdirSync(path.join(data, 'models'), { recursive: true });
fs.mkdirSync(path.join(data, 'my-style-images'), { recursive: true });
fs.writeFileSync(path.join(data, 'models', 'mine.safetensors'), Buffer.alloc(16));
const example = examplePath('sd15-style-lora');
const validate = (rows: string) =>
  runLoraflow([
    'validate',
    example,
    '--data',
    data,
    '--set',
    'model.checkpoint=models/mine.safetensors',
    '--set',
    `sample.loraStrengths=${rows}`,
  ]);

test('a strength row that is not numbers is refused by validate, naming node, parameter and row', async () => {
  const res = await validate('abc');
  expect(res.code).toBe(1);
  expect(`${res.stdout}${res.stderr}`).toMatch(/sample.*loraStrengths.*rows of numbers such as 0\.7.*"abc"/);
});

test('rows of one number or comma-separated numbers stay valid', async () => {
  const res = await validate('0.7, -0.4');
  expect(`${res.stdout}${res.stderr}`).toMatch(/valid \(8 nodes/);
  expect(res.code).toBe(0);
});
