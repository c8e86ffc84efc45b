/** Where data lives: LORAFLOW_DATA, or <repo>/data (the same rule as the server's config). */
import * as path from 'node:path';

/** The data folder for command-line tools and defaults. */
export function defaultDataDir(): string {
  return process.env.LORAFLOW_DATA ?? path.resolve(__dirname, '..', '..', 'data');
}
