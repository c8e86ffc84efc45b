import type Database from 'better-sqlite3';
import type { CachedLogLine, CacheStore } from '../engine/types';
import type { NodeOutputs } from '../../protocol/values';

/**
 * The executor's node cache backed by SQLite, so cached results survive restarts and are shared with the CLI. The
 * `warnings` column holds every info and warning line the node logged (warnings only, as strings, in older rows).
 */
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
    put(cacheKey, nodeType, outputs, log = []) {
      const stored = log.length > 0 ? JSON.stringify(log) : null;
      upsert.run(cacheKey, nodeType, JSON.stringify(outputs), stored, Date.now());
    },
    log(cacheKey) {
      const stored = selectWarnings.get(cacheKey)?.warnings;
      if (!stored) return [];
      // Results cached before info lines were kept hold their warnings as plain strings.
      return (JSON.parse(stored) as (CachedLogLine | string)[]).map((l) =>
        typeof l === 'string' ? { level: 'warn', message: l } : l,
      );
    },
  };
}
