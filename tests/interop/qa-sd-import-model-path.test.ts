/**
 * `loraflow import` of a kohya config whose model is a Hugging Face Hub id or a .ckpt pickle (QA-SD S8): sd-scripts
 * downloads the one and loads the other, loraflow does neither, and the import said nothing about it (the run then
 * said only '"runwayml/stable-diffusion-v1-5" does not exist', or refused the pickle). The import's notes now say what
 * to do for each.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runLoraflow, tempDir } from '../server/harness';

jest.setTimeout(60_000);

const dir = tempDir();
const importWith = async (model: string) => {
  const config = path.join(dir, `c-${fs.readdirSync(dir).length}.toml`);
  fs.writeFileSync(config, `pretrained_model_name_or_path = "${model}"\nnetwork_dim = 8\nmax_train_steps = 10\n`);
  const res = await runLoraflow(['import', config, '-o', `${config}.json`, '--data', dir]);
  expect(res.code).toBe(0);
  return res.stdout;
};

test('a Hub id is imported with a note that loraflow reads local files only', async () => {
  expect(await importWith('runwayml/stable-diffusion-v1-5')).toMatch(
    /pretrained_model_name_or_path: if "runwayml\/stable-diffusion-v1-5" is a Hugging Face Hub id .*downloads nothing; download the model's \.safetensors/,
  );
});

test('a .ckpt is imported with a note to convert it to .safetensors', async () => {
  expect(await importWith('models/v1-5-pruned-emaonly.ckpt')).toMatch(
    /"models\/v1-5-pruned-emaonly\.ckpt" is a PyTorch pickle, which loraflow does not load .*convert it once to \.safetensors/,
  );
});

test('a local .safetensors gets no such note', async () => {
  expect(await importWith('models/v1-5-pruned-emaonly.safetensors')).not.toMatch(/Hub id|PyTorch pickle/);
});
