/** The emoji corpus: joined by codepoint, captioned with the style, rendered deterministically, cached. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  buildCorpus,
  conceptText,
  listConcepts,
  loadCorpus,
  renderEmoji,
  trainingItems,
  captionWords,
} from '../../ml/corpus';

describe('emoji captions', () => {
  it('reads icon names the way people write them', () => {
    expect(conceptText('red-apple')).toBe('red apple');
    expect(conceptText('eight-oclock')).toBe("eight o'clock");
    expect(conceptText('t-shirt')).toBe('t-shirt');
    expect(conceptText('x-ray')).toBe('x-ray');
    expect(conceptText('e-mail')).toBe('e-mail');
    expect(conceptText('womans-hat')).toBe("woman's hat");
    expect(conceptText('mans-shoe')).toBe("man's shoe");
    expect(conceptText('running-shirt')).toBe('running shirt');
  });
});

describe('emoji concepts', () => {
  const concepts = listConcepts();

  it('joins the four styles by codepoint, skin tones left out', () => {
    expect(concepts.length).toBe(1594);
    const apple = concepts.find((c) => c.codepoint === '1f34e');
    expect(apple?.text).toBe('red apple');
    expect(concepts.some((c) => /1f3f[b-f]/.test(c.codepoint))).toBe(false);
  });

  it('holds out concepts whose every word is still taught by a training caption', () => {
    const held = concepts.filter((c) => c.heldOut);
    expect(held.length).toBe(64);
    const trainWords = new Set(concepts.filter((c) => !c.heldOut).flatMap((c) => captionWords(c.text)));
    for (const c of held) for (const w of captionWords(c.text)) expect(trainWords.has(w)).toBe(true);
    expect(
      listConcepts()
        .filter((c) => c.heldOut)
        .map((c) => c.codepoint),
    ).toEqual(held.map((c) => c.codepoint));
  });
});

describe('the corpus cache', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-corpus-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('renders noto and fluent with styled captions, keeps twemoji and openmoji out, and loads back identically', async () => {
    const corpus = await buildCorpus({ dataDir, limit: 24 });
    expect(corpus.items.length).toBe(48);
    expect(corpus.styles).toEqual(['noto', 'fluent']);
    expect(corpus.images.length).toBe(48 * 32 * 32 * 3);
    expect(corpus.items[0]?.caption).toMatch(/, noto style$/);
    expect(corpus.items[24]?.caption).toMatch(/, fluent style$/);
    expect(corpus.items.some((it) => /twemoji|openmoji/.test(it.caption))).toBe(false);
    // Not a blank tile: emoji have colour on a white background.
    const first = corpus.images.subarray(0, 3072);
    expect(first.some((v) => v < 200)).toBe(true);
    expect(first[0]).toBe(255);

    const again = loadCorpus(corpus.dir);
    expect(Buffer.from(again.images).equals(Buffer.from(corpus.images))).toBe(true);
    const rebuilt = await buildCorpus({ dataDir, limit: 24 });
    expect(rebuilt.dir).toBe(corpus.dir);
    expect(trainingItems(corpus).every((i) => !corpus.concepts[corpus.items[i]!.concept]!.heldOut)).toBe(true);
  });

  it('renders any style deterministically, supersampled', async () => {
    const a = await renderEmoji('openmoji', '1f34e');
    const b = await renderEmoji('openmoji', '1f34e');
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const tw = await renderEmoji('twemoji', '1f34e');
    expect(Buffer.from(tw).equals(Buffer.from(a))).toBe(false);
    // OpenMoji's thin black outline survives the downscale as dark pixels.
    let dark = 0;
    for (let i = 0; i < a.length; i += 3) if (a[i]! < 80 && a[i + 1]! < 80 && a[i + 2]! < 80) dark++;
    expect(dark).toBeGreaterThan(10);
    await expect(renderEmoji('noto', 'ffff')).rejects.toThrow(/no emoji for codepoint ffff/);
  });
});
