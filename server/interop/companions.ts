/** The files a config names (dataset config, sample prompts), read from beside it on disk for the CLI. */
import fs from 'node:fs';
import path from 'node:path';
import type { Companions } from '../../protocol/interop';

/** Looks a named file up as given (relative to the config's folder), else by its name in the config's folder. */
export function companionsBeside(configFile: string): Companions {
  const dir = path.dirname(path.resolve(configFile));
  return (named) => {
    for (const candidate of [path.resolve(dir, named), path.join(dir, path.basename(named.replace(/\\/g, '/')))]) {
      try {
        return { name: path.basename(candidate), text: fs.readFileSync(candidate, 'utf8') };
      } catch {
        // not there: try the next place
      }
    }
    return undefined;
  };
}
