import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Runtime } from '../queue';
import { createApp } from './app';
import { attachWsHub, type WsHub } from './ws-hub';

export interface RunningServer {
  url: string;
  port: number;
  hub: WsHub;
  /** Stops listening, closes sockets, interrupts the running run and closes the database. */
  close(): Promise<void>;
}

/** Starts the HTTP and WebSocket server on the configured host and port (0 = any free port). */
export async function startServer(runtime: Runtime, log: (message: string) => void): Promise<RunningServer> {
  const { config } = runtime;
  const server = http.createServer(createApp(runtime, log));
  // LORAFLOW_WS_MAX_BUFFER lowers the per-client cap so that a test can reach it with a few runs.
  const maxBufferedBytes = Number(process.env.LORAFLOW_WS_MAX_BUFFER) || undefined;
  const hub = attachWsHub(server, runtime.queue, { token: config.token, host: config.host, maxBufferedBytes, log });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${hostInUrl}:${port}`,
    port,
    hub,
    async close() {
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.close();
    },
  };
}
