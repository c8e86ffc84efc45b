/** The files a config names (dataset config, sample prompts), read from beside it on disk for the CLI. */
import fs from 'node:fs';
import path from 'node:path';
import type { Companions } from '../../protocol/interop';

/** Whether `file` (links followed) lies in `dir` or below it. */
function inside(dir: string, file: string): boolean {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return false;
  }
  const rel = path.relative(dir, real);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Looks a named file up as given (relative to the config's folder), else by its name in the config's folder; only
 * files in that folder or below are read. A config is often downloaded: `sample_prompts = "/home/me/.ssh/id_rsa"`
 * must not copy that file's lines into the workflow as prompts, and from there into every LoRA it trains.
 * `onRead` hears the absolute path of each file read (the CLI keeps `-o` from overwriting one of them).
 */
export function companionsBeside(configFile: string, onRead?: (file: string) => void): Companions {
  const given = path.dirname(path.resolve(configFile));
  let dir = given;
  try {
    dir = fs.realpathSync(given);
  } catch {
    // the config was read, so its folder exists; keep the path as given
  }
  return (named) => {
    for (const candidate of [path.resolve(dir, named), path.join(dir, path.basename(named.replace(/\\/g, '/')))]) {
      if (!inside(dir, candidate)) continue;
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
