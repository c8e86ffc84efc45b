import { checkConnection, compatibleSchemas } from '../../client/src/graph/compat';
import { quickStart, schemaMap, schemas } from './fixtures';

describe('which wires the canvas accepts', () => {
  const doc = quickStart();
  it('accepts matching socket types', () => {
    expect(
      checkConnection(doc, schemaMap, {
        source: 'train',
        sourceHandle: 'out:lora',
        target: 'sample',
        targetHandle: 'in:lora',
      }),
    ).toEqual({ ok: true });
  });
  it('refuses a type mismatch and says which types', () => {
    const v = checkConnection(doc, schemaMap, {
      source: 'train',
      sourceHandle: 'out:report',
      target: 'sample',
      targetHandle: 'in:images',
    });
    expect(v).toEqual({ ok: false, reason: 'Train.report gives REPORT, but Sample.images expects IMAGES.' });
  });
  it('refuses a wire that would make a cycle', () => {
    const v = checkConnection(doc, schemaMap, {
      source: 'sample',
      sourceHandle: 'out:images',
      target: 'train',
      targetHandle: 'in:dataset',
    });
    expect(v.ok).toBe(false);
  });
  it('lists nodes that can take a dropped wire', () => {
    expect(compatibleSchemas(schemas, 'LORA', 'inputs').map((s) => s.type)).toEqual(['Sample']);
    expect(compatibleSchemas(schemas, 'DATASET', 'outputs').map((s) => s.type)).toEqual(['LoadImages']);
  });
});
