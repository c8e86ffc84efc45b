import type { RunStore, StoredRun } from '../db';

/** Whether `run` belongs to another process that is still alive (signal 0 only checks that it exists). */
export function ownedByAnotherLiveProcess(run: StoredRun): boolean {
  if (run.ownerPid === undefined || run.ownerPid === process.pid) return false;
  try {
    process.kill(run.ownerPid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Marks a run interrupted (resumable) and its running nodes cancelled, each with the reason. */
export function markInterrupted(runs: RunStore, runId: string, nodeReason: string, runReason: string): void {
  for (const state of Object.values(runs.nodes(runId))) {
    if (state.status === 'running')
      runs.saveNode(runId, { ...state, status: 'cancelled', error: { message: nodeReason } });
  }
  runs.update(runId, { status: 'interrupted', finishedAt: Date.now(), error: runReason });
}

/**
 * Marks 'running' runs whose owner process is gone (a `loraflow run` killed with kill -9, a crashed server) as
 * interrupted, with their running nodes cancelled, so that the history tells the truth and they can be resumed.
 * `loraflow run` and `validate` call it on start; `serve` does the same as part of adopting the queue.
 * Returns the ids it marked.
 */
export function interruptRunsOfDeadOwners(runs: RunStore): string[] {
  const marked: string[] = [];
  for (const run of runs.withStatus('running')) {
    if (run.ownerPid === process.pid || ownedByAnotherLiveProcess(run)) continue;
    markInterrupted(
      runs,
      run.id,
      'interrupted: the loraflow process running it stopped',
      `interrupted: the loraflow process running it (pid ${String(run.ownerPid ?? '?')}) stopped`,
    );
    marked.push(run.id);
  }
  return marked;
}
