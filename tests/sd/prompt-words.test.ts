/** A trigger with an embedding of its own, as prompts read it (A1111: one token position per vector). */
import { encodePrompt } from '../../ml/sd/prompt';
import { BOS, EOS, VOCAB_SIZE } from '../../ml/sd/tokenizer';
import { placeEmbeddings } from '../../ml/sd/trigger-embedding';

const words = new Map([['xyz_disc', [VOCAB_SIZE, VOCAB_SIZE + 1]]]);
const tokens = (prompt: string, o = {}) => {
  const ids = [...encodePrompt(prompt, { words, ...o }).chunks[0]!.ids];
  return ids.slice(1, ids.indexOf(EOS));
};

test('the trigger, in any case and beside punctuation, becomes its placeholder ids; other words are unchanged', () => {
  const plain = tokens('a flat disc');
  expect(tokens('XYZ_Disc, a flat disc')).toEqual([VOCAB_SIZE, VOCAB_SIZE + 1, ...tokens(','), ...plain]);
  expect(plain).toEqual(tokens('a flat disc', { words: new Map() }));
  // Part of a longer word is not the trigger.
  expect(tokens('xyz_discs')).toEqual(tokens('xyz_discs', { words: new Map() }));
});

test("emphasis weights every one of the trigger's positions", () => {
  const c = encodePrompt('(xyz_disc:1.5) disc', { words }).chunks[0]!;
  expect([...c.ids.slice(0, 3)]).toEqual([BOS, VOCAB_SIZE, VOCAB_SIZE + 1]);
  expect([...c.weights.slice(1, 4)]).toEqual([1.5, 1.5, 1]);
});

test('a trigger that would not fit in a chunk starts the next one whole', () => {
  const filler = Array<string>(74).fill('a').join(' ');
  const chunks = encodePrompt(`${filler} xyz_disc`, { words, commaBacktrack: 0 }).chunks;
  expect(chunks).toHaveLength(2);
  expect([...chunks[1]!.ids.slice(0, 4)]).toEqual([BOS, VOCAB_SIZE, VOCAB_SIZE + 1, EOS]);
});

test('embeddings of several LoRAs get ids one after another; a wrong width is refused naming the word', () => {
  const e = (word: string, n: number, width = 4) => ({ word, vectors: new Float32Array(n * width).fill(n), width });
  const placed = placeEmbeddings([e('one', 2), e('Two', 3)], [4]);
  expect(placed.words.get('two')).toEqual([VOCAB_SIZE + 2, VOCAB_SIZE + 3, VOCAB_SIZE + 4]);
  expect(placed.rows[0]!.length).toBe(5 * 4);
  expect(placed.rows[0]![2 * 4]).toBe(3);
  expect(() => placeEmbeddings([e('one', 1, 8)], [4])).toThrow(/"one".*8.*4/);
});
