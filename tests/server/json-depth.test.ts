/** The bracket count that refuses deep JSON before it is parsed: brackets inside strings do not count. */
import { nestsDeeperThan } from '../../server/http/json-depth';

const bytes = (text: string) => Buffer.from(text);

test('nesting is counted outside strings only, escaped quotes included', () => {
  expect(nestsDeeperThan(bytes('[[[1]]]'), 3)).toBe(false);
  expect(nestsDeeperThan(bytes('[[[[1]]]]'), 3)).toBe(true);
  expect(nestsDeeperThan(bytes('{"a":{"b":[{}]}}'), 3)).toBe(true);
  expect(nestsDeeperThan(bytes(JSON.stringify({ prompt: '[[[[[[[[{{{{' })), 1)).toBe(false);
  expect(nestsDeeperThan(bytes(JSON.stringify({ p: 'say \\"[[[[\\" and "{{{{"' })), 1)).toBe(false);
  expect(nestsDeeperThan(bytes(JSON.stringify({ emoji: '😀[', deep: [[[1]]] })), 3)).toBe(true);
  // Siblings do not add up: depth is how far in, not how many.
  expect(nestsDeeperThan(bytes(JSON.stringify([[1], [2], [3], [[4]]])), 3)).toBe(false);
});
