/** Which layers each "Adapted layers" choice trains, on the built-in model's module names. */
import { TINY_CONFIG } from '../../ml/dit/config';
import { defaultLoraTargets } from '../../ml/dit/kohya';
import { adaptsText, selectTargets } from '../../nodes/lora/train-params';

const names = (t: string) =>
  selectTargets(
    t,
    defaultLoraTargets(TINY_CONFIG, adaptsText(t)).map((m) => m.name),
  );

describe('adapted layers', () => {
  it('"cross-attention kv+text" adapts only what reads the caption', () => {
    const n = names('cross-attention kv+text');
    expect(n.filter((m) => !m.startsWith('text.')).sort()).toEqual([
      'blocks.0.cross.k',
      'blocks.0.cross.v',
      'blocks.1.cross.k',
      'blocks.1.cross.v',
    ]);
    expect(n.filter((m) => m.startsWith('text.')).length).toBe(6); // one text layer: q, k, v, o, fc1, fc2
  });

  it('"attention" leaves the MLPs alone and "attention+mlp" the text encoder', () => {
    expect(names('attention').some((m) => m.includes('.mlp.'))).toBe(false);
    expect(names('attention+mlp').some((m) => m.startsWith('text.'))).toBe(false);
    expect(names('attention+mlp+text').some((m) => m.startsWith('text.'))).toBe(true);
  });
});
