/** The rule every save node follows before writing its file (the writers themselves are atomic: temp + rename). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeUserError } from './api';

/** Refuses to replace an existing `target` unless `overwrite` (naming it `shown` and `param`), then creates its folder. */
export function prepareOutput(target: string, overwrite: boolean, shown: string, param: string): void {
  if (!overwrite && fs.existsSync(target)) throw new NodeUserError(`${shown} already exists`, 'turn on "Overwrite" or change the name', param);
  fs.mkdirSync(path.dirname(target), { recursive: true });
}
