import { DATA_OPTIONS, configOptions, parseCommand } from '../args';
import { ConfigError, resolveConfig, DEFAULT_PORT, type ServerConfig } from '../../config';
import { createRuntime } from '../../queue';
import { startServer } from '../../http';
import { logLine, out } from '../output';
import { redactRedisUrl, redisOptions } from '../../cluster/redis-url';

export const SERVE_USAGE = `usage: loraflow serve [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--data <folder>] [--allow <folder>]...
                      [--models <ComfyUI or A1111 folder>]...
                      [--token <secret>] [--gpu <device>]... [--redis <url> [--pool <name>]]

Starts the server: the editor, the REST API under /api and the WebSocket /ws.
  --host    interface to listen on (default 127.0.0.1; any other needs --token)
  --port    port (default ${DEFAULT_PORT}; 0 picks a free one)
  --data    data folder (default $LORAFLOW_DATA or <repo>/data)
  --allow   a folder node parameters may read or write (repeatable; default the data folder)
  --models  a ComfyUI or A1111 install: its checkpoints and LoRAs are offered in the editor's pickers (repeatable)
  --token   secret required on every API and WebSocket request (or $LORAFLOW_TOKEN)
  --gpu     a GPU device for training nodes, e.g. webgpu:0 (repeatable)
  --redis   hand training and sampling to \`loraflow worker\` processes through this Redis (or $LORAFLOW_REDIS)
  --pool    with --redis: the named worker pool to use (workers started with the same --pool)`;

/** `loraflow serve`: runs until SIGINT/SIGTERM, then interrupts the running run so it can be resumed. */
export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, {
    ...DATA_OPTIONS,
    host: { type: 'string' },
    port: { type: 'string' },
    token: { type: 'string' },
    gpu: { type: 'string', multiple: true },
    redis: { type: 'string' },
    pool: { type: 'string' },
  });
  if (values.help) {
    out(SERVE_USAGE);
    return 0;
  }
  const config = resolveConfig({
    ...configOptions(values),
    redis: values.redis ?? (process.env.LORAFLOW_REDIS || undefined),
    pool: values.pool ?? (process.env.LORAFLOW_POOL || undefined),
  });
  if (config.redisUrl) redisOptions(config.redisUrl); // a bad URL stops here, with its password hidden
  const runtime = createRuntime(config, { adoptExisting: true, log: logLine });
  const server = await startServer(runtime, logLine).catch(async (e: unknown) => {
    await runtime.close();
    throw listenError(e, config) ?? e;
  });
  out(`loraflow listening on ${server.url}`);
  logLine(
    `data folder ${config.dataDir}; allowed folders ${config.roots.join(', ')}${config.token ? '; token required' : ''}`,
  );
  if (config.redisUrl) logLine(`device nodes go to workers through ${redactRedisUrl(config.redisUrl)}`);
  return new Promise<number>((resolve) => {
    const stop = () => {
      logLine('stopping: the running run (if any) is marked interrupted and can be resumed');
      server.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** A port that is taken or not ours to open, said in one line with what to do (a stack trace says neither). */
function listenError(e: unknown, config: ServerConfig): ConfigError | null {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const where = `${config.host}:${config.port}`;
  const another = `pick another with --port <n> (npm start -- --port <n>; --port 0 picks a free one)`;
  if (code === 'EADDRINUSE') return new ConfigError(`port ${config.port} is in use (${where}): ${another}`);
  if (code === 'EACCES') return new ConfigError(`no permission to listen on ${where}: ${another}`);
  if (code === 'EADDRNOTAVAIL') return new ConfigError(`${config.host} is not an address of this machine (--host)`);
  return null;
}
