/** kohya's sample prompt lines: parsed into prompt + options, grouped by options, written back the same. */
import { formatSamplePrompts, groupByOptions, parseSamplePrompts } from '../../protocol/interop/sample-prompts';

test('a prompt line with every option parses, and formats back to an equal parse', () => {
  const text =
    '# comment\n\nmasterpiece, 1girl --n low quality, worst --w 768 --h 512 --s 28 --l 7.5 --d 1 --ss euler_a\n';
  const { prompts, unknown } = parseSamplePrompts(text);
  expect(unknown).toEqual([]);
  expect(prompts).toEqual([
    {
      prompt: 'masterpiece, 1girl',
      negative: 'low quality, worst',
      width: 768,
      height: 512,
      steps: 28,
      scale: 7.5,
      seed: 1,
      sampler: 'euler_a',
    },
  ]);
  expect(parseSamplePrompts(formatSamplePrompts(prompts, ['header'])).prompts).toEqual(prompts);
});

test('prompts group by their options in first-seen order; unknown options are returned with their line', () => {
  const { prompts, unknown } = parseSamplePrompts('a --d 1\nb --d 2\nc --d 1 --cn x\n');
  expect(unknown).toEqual([{ line: 3, option: '--cn x' }]);
  expect(groupByOptions(prompts).map((g) => g.map((p) => p.prompt))).toEqual([['a', 'c'], ['b']]);
});
