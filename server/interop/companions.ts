/** The files a config names (dataset config, sample prompts), read from beside it on disk for the CLI. */
import fs from 'node:fs';
import path from 'node:path';
import type { Companions } from '../../protocol/interop';

/**
 * Looks a named file up as given (relative to the config's folder), else by its name in the config's folder;
 * `onRead` hears the absolute path of each file read (the CLI keeps `-o` from overwriting one of them).
 */
export function companionsBeside(configFile: string, onRead?: (file: string) => void): Companions {
  const dir = path.dirname(path.resolve(configFile));
  return (named) => {
    for (const candidate of [path.resolve(dir, named), path.join(dir, path.basename(named.replace(/\\/g, '/')))]) {
      try {
        const text = fs.readFileSync(candidate, 'utf8');
        onRead?.(candidate);
        return { name: path.basename(candidate), text };
      } catch {
        // not there: try the next place
      }
    }
    return undefined;
  };
}
