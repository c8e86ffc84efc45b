import fs from 'node:fs';
import path from 'node:path';

/** Writes a file so that readers see the old or the new content, never half of it (temp file + rename). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  fs.writeFileSync(temp, data);
  fs.renameSync(temp, file);
}
