/** The queue and the history (open, rerun, cancel, reorder, compare), and the workers of a server that has them. */
import { showHiddenCharacters } from '../../../protocol/visible-text';
import { memo, useEffect } from 'react';
import type { RunSummary } from '../../../protocol/messages';
import { api } from '../api/http';
import { openRun, rerun, resumeRun } from '../actions';
import { useStore } from '../store/createStore';
import { runsStore } from '../store/runs';
import { toast } from '../store/toasts';
import { setSideTab, toggleCompare, uiStore } from '../store/ui';
import { WorkersPanel } from './WorkersPanel';

/** The runs the server resumes (POST /api/runs/:id/resume): stopped before their end, by a restart, a Cancel or an error. */
const RESUMABLE = new Set<RunSummary['status']>(['interrupted', 'cancelled', 'failed']);

const time = (ms?: number): string => (ms ? new Date(ms).toLocaleTimeString() : '');
const duration = (r: RunSummary): string =>
  r.startedAt ? `${Math.round(((r.finishedAt ?? Date.now()) - r.startedAt) / 1000)}s` : '';

async function refresh(): Promise<void> {
  const [history, queue] = await Promise.all([api.runs(), api.queue()]);
  runsStore.update((s) => {
    s.history = history;
    s.queue = queue;
  });
}

async function move(id: string, delta: number): Promise<void> {
  const order = runsStore.get().queue.map((q) => q.id);
  const at = order.indexOf(id);
  const to = at + delta;
  if (at < 0 || to < 0 || to >= order.length) return;
  order.splice(at, 1);
  order.splice(to, 0, id);
  try {
    const queue = await api.reorderQueue(order);
    runsStore.update((s) => void (s.queue = queue));
  } catch (e) {
    toast((e as Error).message, 'error');
  }
}

const RunRow = memo(function RunRow({ run, queued }: { run: RunSummary; queued: boolean }) {
  const comparing = useStore(uiStore, (s) => s.compare.includes(run.id));
  return (
    <li className={`run-row status-${run.status}`} data-testid={`run-${run.id}`}>
      <div>
        <span className={`badge status-${run.status}`}>{run.status}</span> <b>{showHiddenCharacters(run.name)}</b>
        <small>
          {' '}
          {time(run.createdAt)} {duration(run)}
        </small>
      </div>
      {run.error && <div className="error-text">{run.error}</div>}
      <div className="row-actions">
        <button onClick={() => void openRun(run.id)} title="Open its graph">
          open
        </button>
        <button onClick={() => void rerun(run.id)} title="Run it again">
          rerun
        </button>
        {queued && (
          <button onClick={() => void move(run.id, -1)} title="Earlier">
            ↑
          </button>
        )}
        {queued && (
          <button onClick={() => void move(run.id, 1)} title="Later">
            ↓
          </button>
        )}
        {queued && (
          <button onClick={() => void api.removeQueued(run.id).then(refresh)} title="Remove from the queue">
            remove
          </button>
        )}
        {(run.status === 'running' || run.status === 'queued') && (
          <button onClick={() => void api.cancelRun(run.id)}>cancel</button>
        )}
        {RESUMABLE.has(run.status) && (
          <button
            onClick={() => void resumeRun(run.id)}
            title="Go on from where it stopped (training from its last checkpoint) and show it live"
          >
            resume
          </button>
        )}
        <label title="Compare">
          <input
            type="checkbox"
            checked={comparing}
            onChange={() => toggleCompare(run.id)}
            data-testid={`compare-${run.id}`}
          />{' '}
          cmp
        </label>
      </div>
    </li>
  );
});

export const RunsPanel = memo(function RunsPanel() {
  const queue = useStore(runsStore, (s) => s.queue);
  const history = useStore(runsStore, (s) => s.history);
  const compare = useStore(uiStore, (s) => s.compare);
  useEffect(() => void refresh().catch(() => undefined), []);
  const queuedIds = new Set(queue.map((q) => q.id));
  return (
    <div className="runs-panel" data-testid="runs-panel">
      <h3>Queue ({queue.length})</h3>
      <ul>
        {queue.map((r) => (
          <RunRow key={r.id} run={r} queued />
        ))}
      </ul>
      <h3>
        History <button onClick={() => void refresh()}>↻</button>
        {compare.length === 2 && (
          <button className="primary" onClick={() => setSideTab('compare')} data-testid="open-compare">
            compare 2
          </button>
        )}
      </h3>
      <ul>
        {history
          .filter((r) => !queuedIds.has(r.id))
          .map((r) => (
            <RunRow key={r.id} run={r} queued={false} />
          ))}
      </ul>
      <WorkersPanel />
    </div>
  );
});
