/** The WebSocket client: parses server messages into the runs store and reconnects with backoff. */
import type { RunDetail, ServerMessage } from '../../../protocol/messages';
import { applyServerMessage, runsStore } from '../store/runs';
import { batchPerFrame } from './frameBatch';
import { syncLogs, syncMetrics, syncOnMessage } from './metricsSync';

/** Applies a batch of messages in order, as one store update (one render of what they changed). */
function receiveBatch(messages: ServerMessage[]): void {
  runsStore.update((s) => {
    for (const m of messages) applyServerMessage(s, m);
  });
  for (const m of messages) syncOnMessage(m);
}

/** Run state reaches the store at most this often: ten times a second, four while a drag is under way. */
const UPDATE_MS = 100;
const UPDATE_WHILE_DRAGGING_MS = 250;

/**
 * Whether a pointer is held down (a pan, or a node or wire being dragged): each store update costs a drag frame a
 * re-layout of the canvas, so updates are spaced further apart until the pointer is released.
 */
function watchPointerHeld(): { held(): boolean; stop(): void } {
  let held = false;
  const down = (): void => void (held = true);
  const up = (): void => void (held = false);
  const events = [
    ['pointerdown', down],
    ['pointerup', up],
    ['pointercancel', up],
  ] as const;
  for (const [name, listener] of events) window.addEventListener(name, listener, true);
  return {
    held: () => held,
    stop: () => {
      for (const [name, listener] of events) window.removeEventListener(name, listener, true);
    },
  };
}

/** Connects to `/ws` and keeps connecting until `stop` is called; `onSnapshot` sees the running runs on each (re)connect. */
export function connectLive(onSnapshot?: (running: RunDetail[]) => void, url = wsUrl()): { stop(): void } {
  let socket: WebSocket | undefined;
  let stopped = false;
  let delay = 500;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pointer = watchPointerHeld();
  const batch = batchPerFrame(receiveBatch, () => (pointer.held() ? UPDATE_WHILE_DRAGGING_MS : UPDATE_MS));
  const open = (): void => {
    socket = new WebSocket(url);
    socket.onopen = () => {
      delay = 500;
      runsStore.update((s) => void (s.connected = true));
    };
    socket.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as ServerMessage;
      batch.push(msg);
      // The snapshot has each running node's latest state; the metric history and the logs come from the REST API.
      if (msg.type !== 'snapshot') return;
      batch.flush();
      for (const run of msg.running) {
        syncMetrics(run.id);
        syncLogs(run.id);
      }
      onSnapshot?.(msg.running);
    };
    socket.onclose = () => {
      // What arrived before the close is applied before the editor shows the connection lost.
      batch.flush();
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
      batch.cancel();
      pointer.stop();
      socket?.close();
    },
  };
}

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws`;
}
