/**
 * The workers of a `serve --redis` server (GET /api/workers, polled): each one's device, the node it runs and
 * how long ago it last reported. Shows nothing on a server without workers, where nodes run in the server.
 */
import { memo, useEffect, useState } from 'react';
import type { WorkerInfo, WorkersResponse } from '../../../protocol/api';

const POLL_MS = 2000;

/** "3 s ago" from a heartbeat time and now. */
export function heartbeatAge(lastHeartbeat: number, now: number): string {
  const s = Math.max(0, Math.round((now - lastHeartbeat) / 1000));
  return s < 60 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

const WorkerRow = memo(function WorkerRow({ worker, now }: { worker: WorkerInfo; now: number }) {
  return (
    <li className="worker-row" data-testid={`worker-${worker.id}`}>
      <div>
        <span className={`badge ${worker.job ? 'status-running' : 'status-succeeded'}`}>
          {worker.job ? 'busy' : 'idle'}
        </span>{' '}
        <b>{worker.host}</b> <small>{worker.device}</small>
        {worker.pool && <small> pool {worker.pool}</small>}
      </div>
      <small>
        {worker.job ? `${worker.job.type} "${worker.job.nodeId}" · ` : ''}heartbeat{' '}
        {heartbeatAge(worker.lastHeartbeat, now)}
      </small>
    </li>
  );
});

export const WorkersPanel = memo(function WorkersPanel() {
  const [state, setState] = useState<WorkersResponse | undefined>();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let stopped = false;
    const load = () =>
      fetch('/api/workers')
        .then((res) => (res.ok ? (res.json() as Promise<WorkersResponse>) : undefined))
        .then((body) => {
          if (!stopped && body) setState(body);
          setNow(Date.now());
        })
        .catch(() => undefined); // an unreachable server is already shown by the connection banner
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  if (!state?.cluster) return null;
  return (
    <div className="workers-panel" data-testid="workers-panel">
      <h3>Workers ({state.workers.length})</h3>
      {state.workers.length === 0 && <p className="hint">No worker is connected: start one with loraflow worker.</p>}
      <ul>
        {state.workers.map((w) => (
          <WorkerRow key={w.id} worker={w} now={now} />
        ))}
      </ul>
    </div>
  );
});
