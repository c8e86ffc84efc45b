/** The DiT's contract with LoRA tooling and users: module names, kohya keys, caption tokens, size. */
import { BASE_CONFIG, TINY_CONFIG, forwardFlopsPerImage, paramCount, linearModules } from '../../ml/dit';
import { defaultLoraTargets, kohyaKey, moduleForKohyaKey } from '../../ml/dit/kohya';
import { captionTokens, captionTooLong, captionWords, encodeCaptions, BOS, PAD } from '../../ml/dit/tokenizer';

describe('the base model', () => {
  it('names its linear layers the way kohya LoRA files do', () => {
    expect(kohyaKey('blocks.0.attn.q')).toBe('lora_unet_blocks_0_attn_q');
    expect(kohyaKey('blocks.5.mlp.fc2')).toBe('lora_unet_blocks_5_mlp_fc2');
    expect(kohyaKey('text.layers.1.attn.o')).toBe('lora_te_layers_1_attn_o');
    expect(moduleForKohyaKey(BASE_CONFIG, 'lora_unet_blocks_2_cross_k')).toEqual({
      name: 'blocks.2.cross.k',
      in: 96,
      out: 128,
      part: 'unet',
    });
    expect(moduleForKohyaKey(BASE_CONFIG, 'lora_unet_blocks_9_attn_q')).toBeUndefined();
    const targets = defaultLoraTargets(BASE_CONFIG);
    expect(targets).toHaveLength(6 * 10);
    expect(targets.every((m) => m.part === 'unet')).toBe(true);
    expect(defaultLoraTargets(BASE_CONFIG, true).filter((m) => m.part === 'te')).toHaveLength(2 * 6);
    const names = linearModules(TINY_CONFIG).map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('reads captions as bytes after a start token, so any trigger word is spelled out', () => {
    const t = captionTokens('XYZ_style', 16);
    expect(Number(t[0])).toBe(BOS);
    expect(Array.from(t.slice(1, 10), Number)).toEqual([...Buffer.from('xyz_style')]);
    expect(Number(t[10])).toBe(PAD);
    expect(Array.from(captionTokens('', 4), Number)).toEqual([BOS, PAD, PAD, PAD]);
    expect(captionTooLong('a'.repeat(63), 64)).toBe(false);
    expect(captionTooLong('a'.repeat(64), 64)).toBe(true);
  });

  it("gives every byte of a word that word's bucket, so the text encoder sees words, trigger words included", () => {
    const words = (caption: string) => Array.from(captionWords(caption, 32, 4096), Number);
    const w = words('XYZ_style, red apple');
    expect(w[0]).toBe(0); // BOS
    const trigger = w[1]!;
    expect(trigger).toBeGreaterThan(0);
    expect(w.slice(1, 10)).toEqual(Array(9).fill(trigger)); // xyz_style
    expect(w[10]).toBe(0); // ','
    expect(w[11]).toBe(0); // ' '
    expect(new Set(w.slice(12, 15))).toEqual(new Set([w[12]])); // red
    expect(w[12]).not.toBe(trigger);
    expect(w[16]).not.toBe(w[12]); // apple
    expect(w.slice(21)).toEqual(Array(11).fill(0)); // padding
    // The same word gets the same bucket wherever it stands; the byte row is unchanged.
    expect(words('green apple').slice(7, 12)).toEqual(w.slice(16, 21));
    const both = Array.from(encodeCaptions(['XYZ_style, red apple'], { textLength: 32, wordBuckets: 4096 }), Number);
    expect(both.slice(0, 32)).toEqual(Array.from(captionTokens('XYZ_style, red apple', 32), Number));
    expect(both.slice(32)).toEqual(w);
    // A model without word embeddings gets zeros there.
    expect(Array.from(encodeCaptions(['red apple'], { textLength: 8 }), Number).slice(8)).toEqual(Array(8).fill(0));
  });

  it('is small enough to ship and to pretrain on a CPU', () => {
    expect(paramCount(BASE_CONFIG) * 2).toBeLessThan(20e6); // fp16 bytes
    expect(forwardFlopsPerImage(BASE_CONFIG)).toBeLessThan(0.3e9);
  });
});
