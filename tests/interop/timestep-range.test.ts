/**
 * sd-scripts' min_timestep / max_timestep are TrainLoRA's minTimestep / maxTimestep: an import maps them instead of
 * reporting them ignored, and an export writes them back only when they narrow the schedule.
 */
import { exportWorkflow, importConfig } from '../../protocol/interop';
import { paramsOf, schemas } from './fixtures';

const toml = (extra: string[]) =>
  [
    'pretrained_model_name_or_path = "/models/sd15.safetensors"',
    'train_data_dir = "datasets/style"',
    'output_name = "ranged"',
    'max_train_steps = 400',
    ...extra,
  ].join('\n');

test('an sd-scripts config with min/max_timestep imports to the range and exports it back', () => {
  const first = importConfig(
    { name: 'ranged.toml', text: toml(['min_timestep = 100', 'max_timestep = 700']) },
    schemas,
  );
  expect(paramsOf(first.workflow, 'train')).toMatchObject({ minTimestep: 100, maxTimestep: 700 });
  expect(first.summary.ignored.map((i) => i.setting)).not.toContain('max_timestep');
  const main = exportWorkflow(first.workflow, 'kohya', schemas, 'sd15').files[0]!;
  expect(main.text).toMatch(/^min_timestep = 100$/m);
  expect(main.text).toMatch(/^max_timestep = 700$/m);
  expect(paramsOf(importConfig(main, schemas).workflow, 'train')).toMatchObject({ minTimestep: 100, maxTimestep: 700 });
});

test('the whole schedule exports no min/max_timestep lines', () => {
  const first = importConfig({ name: 'plain.toml', text: toml([]) }, schemas);
  const main = exportWorkflow(first.workflow, 'kohya', schemas, 'sd15').files[0]!;
  expect(main.text).not.toMatch(/timestep/);
});
