/**
 * The HTTP side of `loraflow serve`: the REST API (protocol/api.ts), the WebSocket `/ws` (protocol/messages.ts)
 * and the editor's static files, all on one port. It only talks to the run queue and the engine environment.
 */
export { startServer, type RunningServer } from './server';
export { createApp, JSON_LIMIT } from './app';
