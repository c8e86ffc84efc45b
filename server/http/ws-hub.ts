import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import { DROPPABLE_MESSAGES, type ServerMessage } from '../../protocol/messages';
import type { RunQueue } from '../queue';
import { isAuthorized } from './auth';
import { foreignRequestProblem, OwnHosts } from './request-guard';

/** Above this many unsent bytes a client counts as slow: progress, previews and logs to it are dropped. */
export const SLOW_CLIENT_BYTES = 1 << 20;

/**
 * Above this many unsent bytes a client that stopped reading is disconnected: final messages are never dropped,
 * so without a cap they would pile up in memory forever. A disconnected client knows it missed messages (its
 * socket closed) and gets a fresh snapshot when it reconnects, so no final state is lost silently.
 */
export const MAX_CLIENT_BYTES = 8 << 20;

export interface WsHub {
  /** Number of messages dropped for slow clients since start (for tests and diagnostics). */
  readonly dropped: number;
  /** Number of clients disconnected for not reading (over maxBufferedBytes). */
  readonly disconnected: number;
  close(): void;
}

function refuse(socket: Duplex, status: string): void {
  socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/**
 * The WebSocket `/ws`: each client first gets a snapshot (queue + running runs with every node's latest
 * state), then every message. Sending never waits for a client, so a slow one cannot slow the executor.
 */
export function attachWsHub(
  server: Server,
  queue: RunQueue,
  opts: { token?: string; host: string; maxBufferedBytes?: number; log?: (message: string) => void },
): WsHub {
  const maxBuffered = opts.maxBufferedBytes ?? MAX_CLIENT_BYTES;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const hosts = new OwnHosts(opts.host);
  let dropped = 0;
  let disconnected = 0;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== '/ws') return refuse(socket, '404 Not Found');
    if (foreignRequestProblem(req, hosts)) return refuse(socket, '403 Forbidden');
    if (!isAuthorized(req, opts.token)) return refuse(socket, '401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    ws.send(JSON.stringify(queue.snapshot()));
    ws.on('error', () => ws.terminate());
  });

  const unsubscribe = queue.subscribe((message: ServerMessage) => {
    if (wss.clients.size === 0) return;
    const text = JSON.stringify(message);
    const droppable = DROPPABLE_MESSAGES.has(message.type);
    for (const client of wss.clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      if (droppable && client.bufferedAmount > SLOW_CLIENT_BYTES) {
        dropped++;
        continue;
      }
      if (client.bufferedAmount + text.length > maxBuffered) {
        disconnected++;
        opts.log?.(`disconnected a WebSocket client that stopped reading (${client.bufferedAmount} bytes unsent)`);
        client.terminate();
        continue;
      }
      client.send(text);
    }
  });

  return {
    get dropped() {
      return dropped;
    },
    get disconnected() {
      return disconnected;
    },
    close() {
      unsubscribe();
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
