/** LoRA on the base model: a fresh LoRA changes nothing, a trained one changes samples exactly like merging it. */
import { TINY_CONFIG } from '../../ml/dit/config';
import { defaultLoraTargets } from '../../ml/dit/kohya';
import { initParams } from '../../ml/dit/params';
import { DiTSampler, type HookFactory } from '../../ml/dit/sampler';
import { Rng } from '../../ml/dit/rng';
import { encodeCaptions } from '../../ml/dit/tokenizer';
import { loraHook } from '../../ml/lora/hook';
import { mergeLoras } from '../../ml/lora/merge';
import { loraScale, type LoraAdapter, type WeightedLora } from '../../ml/lora/types';

function weights() {
  const w = initParams(TINY_CONFIG, 2);
  for (const data of w.values()) for (let i = 0; i < data.length; i++) if (data[i] === 0) data[i] = 0.05 * Math.cos(i);
  return w;
}

function lora(upScale: number, strength: number): WeightedLora {
  const rng = new Rng(9);
  const rank = 4;
  const adapters = defaultLoraTargets(TINY_CONFIG).map((m) => ({
    module: m.name,
    rank,
    alpha: 1,
    in: m.in,
    out: m.out,
    down: rng.fillNormal(new Float32Array(rank * m.in), 0.3),
    up: rng.fillNormal(new Float32Array(m.out * rank), upScale),
  }));
  return { set: { adapters, metadata: {}, format: 'kohya' }, strength };
}

/** The LoRA in the sampling graph through the training hook, its adapters as constants. */
function viaHook(l: WeightedLora): HookFactory {
  return (g) =>
    loraHook(
      g,
      new Map(
        l.set.adapters.map((a) => [
          a.module,
          {
            down: g.initializer(`lora.${a.module}.down`, a.down, [a.rank, a.in]),
            up: g.initializer(`lora.${a.module}.up`, a.up, [a.out, a.rank]),
            scale: l.strength * loraScale(a),
          },
        ]),
      ),
    );
}

/** A one-adapter LoRA at strength 1. */
const single = (a: LoraAdapter): WeightedLora => ({
  set: { adapters: [a], metadata: {}, format: 'kohya' },
  strength: 1,
});

describe('LoRA on the DiT', () => {
  const opts = { prompts: ['red apple, noto style', 'xyz_style cat'], seed: 1, steps: 3, guidance: 3 };

  it('a fresh LoRA (up at zero) gives exactly the base model samples', async () => {
    const base = await new DiTSampler(TINY_CONFIG, weights()).sample(opts);
    const fresh = await new DiTSampler(TINY_CONFIG, weights(), viaHook(lora(0, 0.7))).sample(opts);
    expect(Buffer.from(fresh).equals(Buffer.from(base))).toBe(true);
  });

  it('a LoRA at strength m changes the velocity exactly as merging W + m * alpha/rank * up @ down', async () => {
    const l = lora(0.5, 0.7);
    const hooked = new DiTSampler(TINY_CONFIG, weights(), viaHook(l));
    const merged = new DiTSampler(TINY_CONFIG, mergeLoras(TINY_CONFIG, weights(), [l]));
    const plain = new DiTSampler(TINY_CONFIG, weights());
    const x = new Rng(3).fillNormal(new Float32Array(2 * 32 * 32 * 3));
    const t = Float32Array.of(0.7, 0.3);
    const ids = encodeCaptions(opts.prompts, TINY_CONFIG);
    const [a, b, c] = [
      await hooked.velocity(x, t, ids),
      await merged.velocity(x, t, ids),
      await plain.velocity(x, t, ids),
    ];
    let diffMerged = 0;
    let diffBase = 0;
    for (let i = 0; i < a.length; i++) {
      diffMerged = Math.max(diffMerged, Math.abs(a[i]! - b[i]!));
      diffBase = Math.max(diffBase, Math.abs(a[i]! - c[i]!));
    }
    expect(diffMerged).toBeLessThan(1e-4);
    expect(diffBase).toBeGreaterThan(1e-2);
  });

  it('refuses adapters that do not fit the model, naming the module', () => {
    const bad = single({
      module: 'blocks.0.attn.q',
      rank: 4,
      alpha: 4,
      in: 7,
      out: 32,
      down: new Float32Array(4 * 7),
      up: new Float32Array(32 * 4),
    });
    expect(() => mergeLoras(TINY_CONFIG, weights(), [bad])).toThrow(/blocks\.0\.attn\.q/);
    const missing = single({
      module: 'unet.down.0',
      rank: 1,
      alpha: 1,
      in: 1,
      out: 1,
      down: new Float32Array(1),
      up: new Float32Array(1),
    });
    expect(() => mergeLoras(TINY_CONFIG, weights(), [missing])).toThrow(/no linear layer "unet\.down\.0"/);
  });
});
