/**
 * QA S6-F3: "Save as" with `../../etc/evil` or a 300-character name made a library name the server refuses
 * ("..-..-etc-evil" is not a valid workflow name) and nothing was saved. The editor's library name is now always
 * one the server's own rule accepts, and still reads like what was typed.
 */
import { libraryNameOf } from '../../client/src/actions';
import { isValidWorkflowName } from '../../server/http/routes/workflows';
import { quickStart } from './fixtures';

const nameFor = (name: string) => libraryNameOf({ ...quickStart(), name });

test.each([
  ['../../etc/evil', 'etc-evil'],
  ['..hidden', 'hidden'],
  ['a..b', 'a.b'],
  ['-x-', 'x'],
  ['My Style LoRA', 'my-style-lora'],
  ['☃☃☃', 'untitled'],
])('"%s" saves as %s', (typed, expected) => {
  expect(nameFor(typed)).toBe(expected);
  expect(isValidWorkflowName(nameFor(typed))).toBe(true);
});

test('a 300-character name is cut to the 100 the server takes', () => {
  const name = nameFor('a'.repeat(150) + ' ' + 'b'.repeat(149));
  expect(name).toHaveLength(100);
  expect(isValidWorkflowName(name)).toBe(true);
  expect(isValidWorkflowName(nameFor('x'.repeat(99) + '.-.-yz'))).toBe(true); // no trailing dot or dash left
});
