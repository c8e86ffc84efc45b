/**
 * `npm run examples`: prepares the example datasets under <data>/examples/ from the emoji packages on npm:
 *   twemoji-style/    20 Twemoji images with captions (a style LoRA dataset; Twemoji is CC-BY-4.0: credit Twitter)
 *   openmoji-style/   the same 20 concepts in OpenMoji (CC-BY-SA-4.0), to compare styles
 *   broken-dataset/   good images plus a truncated PNG, a zero-byte file, a text file named .png, a non-UTF-8
 *                     caption, a tiny image and a duplicate: for the tests and the report demo
 * Deterministic and idempotent: files already holding the right bytes are left alone.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../ml/atomic-write';
import { defaultDataDir } from '../ml/corpus/data-dir';
import type { StyleId } from '../ml/corpus/styles';
import { brokenDatasetFiles, EXAMPLE_CODEPOINTS, renderExample } from './examples/emoji-examples';

/** Writes `data` to `path` atomically unless it already holds exactly these bytes; returns whether it wrote. */
function writeIfChanged(path: string, data: Buffer): boolean {
  if (existsSync(path) && readFileSync(path).equals(data)) return false;
  writeFileAtomicSync(path, data);
  return true;
}

function writeFolder(dir: string, files: Map<string, Buffer>): void {
  mkdirSync(dir, { recursive: true });
  let written = 0;
  for (const [name, data] of files) if (writeIfChanged(join(dir, name), data)) written++;
  process.stdout.write(`${dir}: ${files.size} files (${written} written, ${files.size - written} unchanged)\n`);
}

async function styleSet(style: StyleId): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const img of await Promise.all(EXAMPLE_CODEPOINTS.map((cp) => renderExample(style, cp)))) {
    files.set(`${img.stem}.png`, img.png);
    files.set(`${img.stem}.txt`, Buffer.from(`${img.caption}\n`));
  }
  return files;
}

async function main(): Promise<void> {
  const root = join(defaultDataDir(), 'examples');
  writeFolder(join(root, 'twemoji-style'), await styleSet('twemoji'));
  writeFolder(join(root, 'openmoji-style'), await styleSet('openmoji'));
  writeFolder(join(root, 'broken-dataset'), await brokenDatasetFiles('twemoji'));
  writeIfChanged(
    join(root, 'CREDITS.txt'),
    Buffer.from(
      'twemoji-style, broken-dataset: Twemoji by Twitter, Inc and other contributors, CC-BY-4.0.\nopenmoji-style: OpenMoji, CC-BY-SA-4.0.\n',
    ),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`prepare-examples failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
