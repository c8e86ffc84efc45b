/**
 * The database schema as a list of migrations. `PRAGMA user_version` records how many have been applied;
 * a new schema change is a new entry at the end, never an edit of an old one.
 */
import type Database from 'better-sqlite3';

const MIGRATIONS: string[] = [
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    workflow TEXT NOT NULL,
    targets TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    error TEXT,
    queue_position INTEGER
  );
  CREATE INDEX runs_created ON runs (created_at DESC);
  CREATE INDEX runs_status ON runs (status);
  CREATE TABLE node_states (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    node_id TEXT NOT NULL,
    status TEXT NOT NULL,
    cache_key TEXT,
    outputs TEXT,
    error TEXT,
    progress TEXT,
    started_at INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (run_id, node_id)
  );
  CREATE TABLE logs (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    node_id TEXT NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX logs_run ON logs (run_id, node_id);
  CREATE TABLE metrics (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    node_id TEXT NOT NULL,
    step INTEGER NOT NULL,
    at INTEGER NOT NULL,
    metrics TEXT NOT NULL
  );
  CREATE INDEX metrics_run ON metrics (run_id, node_id, step);
  CREATE TABLE cache (
    key TEXT PRIMARY KEY,
    node_type TEXT NOT NULL,
    outputs TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  // The process that queued or runs a run: a server starting beside a live `loraflow run` must leave its runs alone.
  `ALTER TABLE runs ADD COLUMN owner_pid INTEGER;`,
  // The warnings a node logged when it computed a cached result: a cache hit shows them again.
  `ALTER TABLE cache ADD COLUMN warnings TEXT;`,
  // A cached node's curves are those of the run that computed it: found by its cache key.
  `CREATE INDEX node_states_cache_key ON node_states (cache_key);`,
  // A checkpoint or sample event of a training node, at its step (JSON: { checkpoint } or { sample }).
  `ALTER TABLE metrics ADD COLUMN event TEXT;`,
];

/** Brings the database schema up to date; safe to call on every start. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `database schema version ${current} is newer than this loraflow knows (${MIGRATIONS.length}); upgrade loraflow`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] ?? '');
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
