import type Database from 'better-sqlite3';
import type { CacheStore } from '../engine/types';
import type { NodeOutputs } from '../../protocol/values';

/** The executor's node cache backed by SQLite, so cached results survive restarts and are shared with the CLI. */
export function createSqliteCache(db: Database.Database): CacheStore {
  const select = db.prepare<[string], { outputs: string }>('SELECT outputs FROM cache WHERE key = ?');
  const selectWarnings = db.prepare<[string], { warnings: string | null }>('SELECT warnings FROM cache WHERE key = ?');
  const upsert = db.prepare<[string, string, string, string | null, number]>(
    'INSERT INTO cache (key, node_type, outputs, warnings, created_at) VALUES (?, ?, ?, ?, ?) ' +
      'ON CONFLICT (key) DO UPDATE SET node_type = excluded.node_type, outputs = excluded.outputs, ' +
      'warnings = excluded.warnings, created_at = excluded.created_at',
  );
  return {
    get(cacheKey) {
      const row = select.get(cacheKey);
      return row ? (JSON.parse(row.outputs) as NodeOutputs) : undefined;
    },
    put(cacheKey, nodeType, outputs, warnings = []) {
      const stored = warnings.length > 0 ? JSON.stringify(warnings) : null;
      upsert.run(cacheKey, nodeType, JSON.stringify(outputs), stored, Date.now());
    },
    warnings(cacheKey) {
      const stored = selectWarnings.get(cacheKey)?.warnings;
      return stored ? (JSON.parse(stored) as string[]) : [];
    },
  };
}
