/** What a user sees on a failed node: the message and, for common causes, what to do about it. */
import { NodeUserError } from '../../nodes/api';
import { createRegistry, describeNodeError, PathError } from '../../server/engine';
import { testNodes } from './helpers';

const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

test.each([
  [errno('ENOENT', "ENOENT: no such file or directory, open 'x.png'"), /does not exist/],
  [errno('EACCES', 'EACCES: permission denied'), /Permission denied/],
  [errno('ENOSPC', 'ENOSPC: no space left on device'), /disk is full/],
  [
    new Error('Failed to allocate memory for requested buffer of size 8589934592'),
    /Out of memory: lower the batch size/,
  ],
  [new RangeError('Array buffer allocation failed'), /Out of memory/],
  [new PathError('parameter "folder": "../x" is outside the allowed folders', 'folder'), /inside the allowed folders/],
])('%s gets a hint', (error, hint) => {
  const described = describeNodeError(error);
  expect(described.message).toBe(error.message);
  expect(described.hint).toMatch(hint);
});

test("a NodeUserError's own hint and parameter are kept; an unknown error has no invented hint", () => {
  expect(describeNodeError(new NodeUserError('only 3 images', 'add at least 10', 'folder'))).toEqual({
    message: 'only 3 images',
    hint: 'add at least 10',
    param: 'folder',
  });
  expect(describeNodeError(new Error('something odd'))).toEqual({ message: 'something odd' });
  expect(describeNodeError('a string was thrown')).toEqual({ message: 'a string was thrown' });
});

test('two node definitions with the same type name are refused', () => {
  expect(() => createRegistry([...testNodes, testNodes[0]!])).toThrow(/node type "Const" is defined twice/);
  expect(
    createRegistry(testNodes)
      .schemas()
      .map((s) => s.type),
  ).toContain('Const');
});
