/**
 * Persistence: one SQLite file under the data folder holds the run history, per-node states, logs, metrics
 * and the node cache. Everything here is synchronous (better-sqlite3) and uses prepared statements.
 */
import Database from 'better-sqlite3';
import { migrate } from './migrations';
import { createRunStore, type RunStore } from './runs';
import { createSqliteCache } from './cache-store';
import { createTelemetryStore, type TelemetryStore } from './telemetry';
import type { CacheStore } from '../engine/types';

export type { RunStore, StoredRun, StoredNodeState } from './runs';
export type { TelemetryStore } from './telemetry';

export interface LoraflowDb {
  raw: Database.Database;
  runs: RunStore;
  cache: CacheStore;
  telemetry: TelemetryStore;
  close(): void;
}

/** Opens (creating and migrating as needed) the database at `file`. */
export function openDatabase(file: string): LoraflowDb {
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  // The CLI and the server may share one file; wait for each other's short write transactions.
  raw.pragma('busy_timeout = 5000');
  migrate(raw);
  const telemetry = createTelemetryStore(raw);
  const runs = createRunStore(raw);
  return {
    raw,
    runs,
    cache: createSqliteCache(raw),
    telemetry,
    close() {
      telemetry.flush();
      runs.flush();
      raw.close();
    },
  };
}
