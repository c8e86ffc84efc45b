/**
 * A kohya config's sample_sampler (and a prompt line's --ss) for an SD model maps to a sampler Sample has for SD:
 * `heun` is the emoji model's only, so on an SD 1.5 import it is reported ignored (Sample keeps its default) instead
 * of landing in a workflow that validation then refuses.
 */
import { companionsFrom, importConfig } from '../../protocol/interop';
import { validateWorkflow } from '../../protocol/validate';
import { paramsOf, schemas } from './fixtures';

function importKohya(sampler: string, promptLine = 'xyz_style, a cat --s 20') {
  const files = [
    {
      name: 'sd.toml',
      text: [
        'pretrained_model_name_or_path = "/models/sd15.safetensors"',
        'train_data_dir = "datasets/style"',
        'max_train_steps = 400',
        'sample_prompts = "prompts.txt"',
        `sample_sampler = "${sampler}"`,
      ].join('\n'),
    },
    { name: 'prompts.txt', text: `${promptLine}\n` },
  ];
  return importConfig(files[0]!, schemas, companionsFrom(files));
}

test('sample_sampler = "heun" on an SD 1.5 config is reported, and the workflow validates', () => {
  const r = importKohya('heun');
  expect(paramsOf(r.workflow, 'model').family).toBe('sd15');
  expect(paramsOf(r.workflow, 'sample').sampler).not.toBe('heun');
  const ignored = r.summary.ignored.find((i) => i.setting === 'sample_sampler');
  expect(ignored?.reason).toMatch(/for the sd15 model offers euler, euler_ancestral, dpmpp_2m_karras/);
  expect(validateWorkflow(r.workflow, schemas).filter((e) => e.nodeId === 'sample')).toEqual([]);
});

test("SD samplers still map by kohya's names: k_euler_a is euler_ancestral, dpmsolver++ is dpmpp_2m_karras", () => {
  expect(paramsOf(importKohya('k_euler_a').workflow, 'sample').sampler).toBe('euler_ancestral');
  expect(paramsOf(importKohya('dpmsolver++').workflow, 'sample').sampler).toBe('dpmpp_2m_karras');
});

test('a prompt line --ss heun on an SD config is reported the same way', () => {
  const r = importKohya('euler', 'xyz_style, a cat --ss heun');
  expect(r.summary.ignored.map((i) => i.setting)).toContain('sample_prompts (prompts.txt) --ss');
  expect(validateWorkflow(r.workflow, schemas)).toEqual([]);
});
