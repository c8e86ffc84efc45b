/**
 * The LoRA check's figures on real emoji renders standing in for samples: Noto as the base model's images, Fluent
 * as the base model's own images of the same subjects from other noise, Twemoji as a style LoRA's images. What a
 * user must read from them: a style change that keeps the subjects, with or without bleeding; no visible effect;
 * a LoRA that paints the same picture whatever the prompt (the subject lost).
 */
import { listConcepts, renderEmojis } from '../../ml/corpus';
import { cellScore, checkFigures, type CellFigures, type CheckImages } from '../../nodes/lora/check-figures';
import { checkFindings } from '../../nodes/lora/check-findings';

jest.setTimeout(60_000);

let noto: Uint8Array, fluent: Uint8Array, twemoji: Uint8Array, same: Uint8Array;
beforeAll(async () => {
  const cps = listConcepts()
    .filter((_, i) => i % 97 === 0)
    .slice(0, 8)
    .map((c) => c.codepoint);
  const render = (s: 'noto' | 'fluent' | 'twemoji') => renderEmojis(s, cps, { size: 32 });
  [noto, fluent, twemoji] = [await render('noto'), await render('fluent'), await render('twemoji')];
  // One picture (the first subject in Twemoji) for every prompt.
  const px = 32 * 32 * 3;
  same = new Uint8Array(twemoji.length);
  for (let i = 0; i < 8; i++) same.set(twemoji.subarray(0, px), i * px);
});

const images = (withTrigger: Uint8Array, without: Uint8Array): CheckImages => ({
  size: 32,
  base: { with: noto, without: noto },
  reseeded: fluent,
  cells: [{ name: 'lora', step: 100, strength: 1, with: withTrigger, without }],
});
const kinds = (im: CheckImages) => checkFindings(checkFigures(im)).map((f) => f.kind);

describe('LoRA check figures', () => {
  it('a style LoRA that answers only to its trigger: large effect, no bleeding, the subjects kept', () => {
    const f = checkFigures(images(twemoji, noto));
    const c = f.cells[0]!;
    expect(c.effect / f.seedChange).toBeGreaterThan(0.3);
    expect(c.bleeding).toBe(0);
    expect(c.survival).toBeGreaterThanOrEqual(0.8);
    expect(kinds(images(twemoji, noto))).toEqual(['answers-to-trigger']);
  });

  it('the same style applied without the trigger is bleeding, with the figures', () => {
    const findings = checkFindings(checkFigures(images(twemoji, twemoji)));
    const bleeding = findings.find((x) => x.kind === 'bleeding');
    expect(bleeding?.text).toMatch(/without the trigger the images change by [\d.]+, 100% of the change with it/);
  });

  it('a LoRA that changes nothing has no visible effect', () => {
    expect(kinds(images(noto, noto))).toEqual(['no-effect']);
  });

  it('one picture for every prompt loses the subject', () => {
    const f = checkFigures(images(same, noto));
    expect(f.cells[0]!.survival).toBeLessThan(0.5);
    expect(kinds(images(same, noto))).toContain('subject-lost');
  });

  it('picks an earlier checkpoint when the last one bleeds: "overfitting: pick checkpoint N"', () => {
    const im: CheckImages = {
      ...images(twemoji, noto),
      cells: [
        { name: 'a', step: 100, strength: 1, with: twemoji, without: noto },
        { name: 'b', step: 200, strength: 1, with: twemoji, without: twemoji },
      ],
    };
    const f = checkFigures(im);
    expect(f.best).toBe(0);
    expect(checkFindings(f).find((x) => x.kind === 'overfitting')?.text).toMatch(/^overfitting: pick checkpoint 100 /);
  });

  it('prefers the checkpoint that bleeds less over one with as much more effect as more bleeding', () => {
    // The quick start's check with prior concepts, step 100 against step 500 (a change of seed: 25.6).
    const cell = (step: number, effect: number, bleeding: number): CellFigures => ({
      step,
      name: `step ${step}`,
      strength: 1,
      effect,
      bleeding,
      survival: 1,
      recognised: 1,
    });
    const early = cellScore(cell(100, 48.4, 17.2), 25.6);
    const later = cellScore(cell(500, 44.3, 13.8), 25.6);
    expect(later).toBeGreaterThan(early);
  });
});
