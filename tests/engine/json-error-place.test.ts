/** A hand-edited workflow with a JSON mistake: the error says the line and column of the first bad character. */
import { jsonErrorPlace } from '../../protocol/json-error-place';
import { parseWorkflow } from '../../protocol/workflow-io';

test.each([
  ['{\n  "a": 1,\n}', { line: 3, column: 1 }], // trailing comma: the } where a name was due
  ['{\n  "a": [1, 2\n', { line: 3, column: 1 }], // cut short
  ['{ "a": tru }', { line: 1, column: 8 }],
  ['{ "a": "tab\there" }', { line: 1, column: 12 }],
  ['{ "a": 1 } x', { line: 1, column: 12 }],
])('%j fails at %j', (text, place) => {
  expect(jsonErrorPlace(text)).toEqual(place);
});

test('valid JSON has no error place, and nesting deeper than the stack gives none rather than throwing', () => {
  expect(jsonErrorPlace('{"a": [1, -2.5e3, "x\\u00e9", true, null, {}]}')).toBeUndefined();
  expect(jsonErrorPlace('['.repeat(200_000))).toBeUndefined();
});

test('parseWorkflow names line and column', () => {
  expect(() => parseWorkflow('{\n  "nodes": [\n    { "id": "a" }\n    { "id": "b" }\n  ]\n}')).toThrow(
    /not valid JSON at line 4, column 5/,
  );
});
