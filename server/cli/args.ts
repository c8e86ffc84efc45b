import os from 'node:os';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ConfigOptions } from '../config';

/** A command-line mistake: the message is printed with the command's usage, exit code 1 (2 for usage). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Options every command that opens the data folder takes. */
export const DATA_OPTIONS = {
  data: { type: 'string' },
  allow: { type: 'string', multiple: true },
  models: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** Parses `argv` against `options`, turning parse failures into UsageErrors. */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/**
 * A leading ~ as the home folder, as a shell would read it: the shell leaves `--data=~/x` and a quoted "~/x" alone,
 * and they made a folder named "~" in the current folder (which `rm -rf ~` then "removes").
 */
export function expandHome(folder: string): string {
  if (folder === '~') return os.homedir();
  return folder.startsWith('~/') || folder.startsWith(`~${path.sep}`)
    ? path.join(os.homedir(), folder.slice(2))
    : folder;
}

/** The ConfigOptions part of parsed values. */
export function configOptions(values: {
  data?: string;
  allow?: string[];
  models?: string[];
  host?: string;
  port?: string;
  token?: string;
  gpu?: string[];
}): ConfigOptions {
  const opts: ConfigOptions = {};
  if (values.data !== undefined) opts.data = expandHome(values.data);
  if (values.allow !== undefined) opts.allow = values.allow.map(expandHome);
  if (values.models !== undefined) opts.models = values.models.map(expandHome);
  if (values.host !== undefined) opts.host = values.host;
  if (values.token !== undefined) opts.token = values.token;
  if (values.gpu !== undefined) opts.gpu = values.gpu;
  if (values.port !== undefined) {
    // Digits only: Number() would read 1e3, 0x1F90, 8420.0 and '' (0, a free port), so a typo served elsewhere.
    if (!/^\d+$/.test(values.port)) throw new UsageError(`--port expects a number, got "${values.port}"`);
    const port = Number(values.port);
    opts.port = port;
  }
  return opts;
}
