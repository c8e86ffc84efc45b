/**
 * An SDXL or FLUX config imported while LoadModel cannot load that family: the model path must not land in the
 * field of another family (the built-in emoji model's `file`), where a run would try to open an SDXL checkpoint as
 * the emoji model. It is left out of LoadModel and named in the summary and on the canvas note instead. When
 * LoadModel offers the family, the path goes to that family's field.
 */
import { importConfig } from '../../protocol/interop';
import type { NodeSchema } from '../../protocol/schema';
import { importFixture, schemas } from './fixtures';

const pathParams = (s: NodeSchema | undefined) => s?.params.filter((p) => p.kind === 'path').map((p) => p.name) ?? [];
const loadModel = schemas.find((s) => s.type === 'LoadModel');

/** LoadModel as installed, with these family choices, each with its own path field. */
function withFamilies(families: string[]): NodeSchema[] {
  const field = (f: string) => (f === 'emoji' ? 'file' : `${f}Checkpoint`);
  return schemas.map((s) =>
    s.type !== 'LoadModel'
      ? s
      : {
          ...s,
          params: [
            { name: 'family', kind: 'enum' as const, default: 'emoji', options: families },
            ...families.map((f) => ({
              name: field(f),
              kind: 'path' as const,
              default: '',
              visibleWhen: { param: 'family', equals: [f] },
            })),
          ],
        },
  );
}

const sdxlConfig = { name: 'x.json', text: '{"sdxl": true, "pretrained_model_name_or_path": "models/xl.safetensors"}' };

test('an SDXL import while LoadModel offers emoji and sd15: no path on LoadModel, the summary says why', () => {
  const r = importConfig(sdxlConfig, withFamilies(['emoji', 'sd15']));
  expect(r.workflow.nodes.find((n) => n.id === 'model')?.params).toEqual({});
  expect(r.summary.notes.join('\n')).toMatch(/model path not set: LoadModel does not load sdxl yet/);
  expect(r.workflow.notes?.[0]?.text).toMatch(/model path not set: LoadModel does not load sdxl yet/);
  expect(r.workflow.notes?.[0]?.text).toMatch(/models\/xl\.safetensors/);
  expect(r.summary.mapped.map((m) => m.setting)).not.toContain('pretrained_model_name_or_path');
});

test('an SDXL import once LoadModel offers sdxl: the family and its own path field', () => {
  const r = importConfig(sdxlConfig, withFamilies(['emoji', 'sd15', 'sdxl']));
  expect(r.workflow.nodes.find((n) => n.id === 'model')?.params).toEqual({
    family: 'sdxl',
    sdxlCheckpoint: 'models/xl.safetensors',
  });
});

test('the shipped fixtures (kohya_ss SDXL, ai-toolkit FLUX) put no path into a field of another family', () => {
  const families = loadModel?.params.find((p) => p.name === 'family')?.options ?? [];
  for (const [name, family] of [
    ['kohya_ss-sdxl.json', 'sdxl'],
    ['aitoolkit-flux.yaml', 'flux'],
  ] as const) {
    const r = importFixture(name);
    const params = r.workflow.nodes.find((n) => n.id === 'model')?.params ?? {};
    if (families.includes(family)) {
      expect(params.family).toBe(family);
      continue;
    }
    for (const p of pathParams(loadModel)) expect(params[p]).toBeUndefined();
    expect(r.summary.notes.join('\n')).toContain(`model path not set: LoadModel does not load ${family} yet`);
  }
});
