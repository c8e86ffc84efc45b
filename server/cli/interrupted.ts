import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../db';
import { REPO_ROOT } from '../config';
import { interruptRunsOfDeadOwners } from '../queue/reclaim';
import { err } from './output';

/** Tells the user about runs found left 'running' by a loraflow that is gone, now marked interrupted. */
export function reportInterrupted(ids: string[]): void {
  if (ids.length === 0) return;
  err(
    `note: ${ids.length} run${ids.length === 1 ? '' : 's'} left running by a stopped loraflow marked interrupted ` +
      `(${ids.join(', ')}); resume from the editor or POST /api/runs/<id>/resume`,
  );
}

/**
 * For commands that otherwise leave the data folder alone (`validate`): marks the dead owners' runs interrupted
 * when the folder has a database, without creating anything.
 */
export function interruptDeadRunsIn(dataDir: string | undefined): void {
  const dbPath = path.join(
    path.resolve(dataDir ?? process.env.LORAFLOW_DATA ?? path.join(REPO_ROOT, 'data')),
    'loraflow.db',
  );
  if (!fs.existsSync(dbPath)) return;
  const db = openDatabase(dbPath);
  try {
    reportInterrupted(interruptRunsOfDeadOwners(db.runs));
  } finally {
    db.close();
  }
}
