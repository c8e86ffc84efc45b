/** The WebSocket client: parses server messages into the runs store and reconnects with backoff. */
import type { RunDetail, ServerMessage } from '../../../protocol/messages';
import { receive, runsStore } from '../store/runs';
import { syncMetrics, syncOnMessage } from './metricsSync';

/** Connects to `/ws` and keeps connecting until `stop` is called; `onSnapshot` sees the running runs on each (re)connect. */
export function connectLive(onSnapshot?: (running: RunDetail[]) => void, url = wsUrl()): { stop(): void } {
  let socket: WebSocket | undefined;
  let stopped = false;
  let delay = 500;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = (): void => {
    socket = new WebSocket(url);
    socket.onopen = () => {
      delay = 500;
      runsStore.update((s) => void (s.connected = true));
    };
    socket.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as ServerMessage;
      receive(msg);
      syncOnMessage(msg);
      // The snapshot has each running node's latest state; the metric history comes from the REST API.
      if (msg.type !== 'snapshot') return;
      for (const run of msg.running) syncMetrics(run.id);
      onSnapshot?.(msg.running);
    };
    socket.onclose = () => {
      runsStore.update((s) => void (s.connected = false));
      if (stopped) return;
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  open();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    },
  };
}

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws`;
}
