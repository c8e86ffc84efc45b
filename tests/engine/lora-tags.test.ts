/**
 * QA S6-F16: the one `<lora:name:strength>` reader (protocol/lora-tags.ts) that validation, the path check and both
 * samplers use. Before it, three parsers disagreed: `1e-1` was refused by validation though A1111 reads it, and a
 * tag a sampler could not read stayed in the prompt as words while its LoRA did nothing.
 */
import { loraRows } from '../../nodes/lora/sample-loras';
import type { NodeContext } from '../../nodes/api';
import { loraTagProblem, parseLoraTags } from '../../protocol/lora-tags';

const tag = (name: string, strength: number, text: string) => ({ name, strength, tag: text });

test.each([
  ['<lora:style:0.7> a cat', [tag('style', 0.7, '<lora:style:0.7>')], 'a cat'],
  ['a cat <lora:style>', [tag('style', 1, '<lora:style>')], 'a cat'],
  ['<lora: style : -1 > a cat', [tag('style', -1, '<lora: style : -1 >')], 'a cat'],
  ['<lora:style:1e-1> a cat', [tag('style', 0.1, '<lora:style:1e-1>')], 'a cat'],
  ['<lora:style:.5>a cat', [tag('style', 0.5, '<lora:style:.5>')], 'a cat'],
  ['<lora:style:+2.> a cat', [tag('style', 2, '<lora:style:+2.>')], 'a cat'],
  ['<LORA:Style:0.3> a cat', [tag('Style', 0.3, '<LORA:Style:0.3>')], 'a cat'],
  [
    'a cat <lora:a:0.5>, <lora:b_v2:0.25> sunny',
    [tag('a', 0.5, '<lora:a:0.5>'), tag('b_v2', 0.25, '<lora:b_v2:0.25>')],
    'a cat, sunny',
  ],
  ['<lora:日本語スタイル:0.8> 猫', [tag('日本語スタイル', 0.8, '<lora:日本語スタイル:0.8>')], '猫'],
  ['a (cat:1.2) <lora:x:1>', [tag('x', 1, '<lora:x:1>')], 'a (cat:1.2)'],
  ['no tags, <b>bold</b>', [], 'no tags, <b>bold</b>'],
])('"%s" reads', (prompt, tags, text) => {
  expect(parseLoraTags(prompt)).toEqual({ text, tags, problem: null });
});

test.each([
  ['<lora:style:abc> a cat', /the tag "<lora:style:abc>" has the strength "abc", which is not a number/],
  ['<lora:style:0,8> a cat', /"<lora:style:0,8>" has the strength "0,8", which is not a number: write 0\.8/],
  ['<lora:style:> a cat', /"<lora:style:>" has the strength "", which is not a number/],
  ['<lora:style:inf>', /"<lora:style:inf>" has the strength "inf"/],
  ['<lora:style:1e3>', /"<lora:style:1e3>" has the strength 1e3, outside -100\.\.100/],
  ['<lora:my:style:0.5>', /"<lora:my:style:0.5>" has more than one strength \(a LoRA name cannot hold ":"\)/],
  ['<lora:style:0.5:1>', /"<lora:style:0.5:1>" has more than one strength/],
  ['<lora: :0.5>', /"<lora: :0.5>" names no LoRA/],
  ['a cat <lora:style:0.5', /the tag "<lora:style:0.5" has no closing ">"/],
  ['<lora:a:0.5 <lora:b:1>', /the tag "<lora:a:0.5 <lora:b:1>" has no closing ">"/],
])('"%s" is an error naming the tag', (prompt, why) => {
  const parsed = parseLoraTags(prompt);
  expect(parsed.problem).toMatch(why);
  expect(loraTagProblem(prompt)).toBe(parsed.problem);
});

test('a bad tag stays in the text (never silently dropped); the good ones around it still read', () => {
  const parsed = parseLoraTags('<lora:a:0.5> cat <lora:b:abc> <lora:c>');
  expect(parsed.tags.map((t) => t.name)).toEqual(['a', 'c']);
  expect(parsed.text).toBe('cat <lora:b:abc>');
  expect(parsed.problem).toMatch(/"<lora:b:abc>"/);
});

test("Sample's rows refuse a tag that does not read instead of sampling it as words", () => {
  const ctx = {} as NodeContext; // read only after the tags, for the files they name
  expect(() => loraRows(undefined, [], ['a cat <lora:style:abc>'], ctx)).toThrow(
    /<lora:…> tag does not read: the tag "<lora:style:abc>" has the strength "abc"/,
  );
});
