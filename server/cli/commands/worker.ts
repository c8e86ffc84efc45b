import os from 'node:os';
import path from 'node:path';
import { parseCommand, UsageError } from '../args';
import { redactRedisUrl, redisOptions } from '../../cluster/redis-url';
import { startWorker } from '../../cluster/worker-process';
import { logLine, out } from '../output';

export const WORKER_USAGE = `usage: loraflow worker --server <url> --redis <url> [--gpu cuda:0|webgpu:0|cpu] [--pool <name>]
                       [--token <secret>] [--data <folder>] [--allow <folder>]... [--lock-ms 10000]

Takes device nodes (training, sampling) from the server's queue in Redis and runs them on this machine, one at
a time. Files come from the server over HTTP and are cached here; nothing needs to be shared.
  --server   the server's URL (http://host:8420)
  --redis    the Redis the server was started with (redis://[:password@]host:6379; or $LORAFLOW_REDIS)
  --gpu      the device this worker trains on (default cpu); start one worker per GPU
  --pool     take jobs only of this named pool (the server's --pool)
  --token    the server's token (or $LORAFLOW_TOKEN)
  --data     this worker's cache and state folder (default ~/.cache/loraflow-worker)
  --allow    a folder job paths may name (repeatable; default the data folder)
  --lock-ms  how long a job's lock lasts: a dead worker's job goes elsewhere after about this long`;

/** `loraflow worker`: runs until SIGINT/SIGTERM; a job it was running goes to another worker. */
export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, {
    server: { type: 'string' },
    redis: { type: 'string' },
    gpu: { type: 'string' },
    pool: { type: 'string' },
    token: { type: 'string' },
    data: { type: 'string' },
    allow: { type: 'string', multiple: true },
    'lock-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    out(WORKER_USAGE);
    return 0;
  }
  const redisUrl = values.redis ?? process.env.LORAFLOW_REDIS;
  if (!values.server) throw new UsageError('--server <url> is required');
  if (!redisUrl) throw new UsageError('--redis <url> is required (or set LORAFLOW_REDIS)');
  try {
    redisOptions(redisUrl);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const lockMs = values['lock-ms'] === undefined ? 10_000 : Number(values['lock-ms']);
  if (!Number.isInteger(lockMs) || lockMs < 1000) throw new UsageError('--lock-ms expects a whole number >= 1000');
  const device = values.gpu ?? 'cpu';
  if (!/^(cpu|(cuda|webgpu):\d+)$/.test(device))
    throw new UsageError(`--gpu expects cpu, cuda:N or webgpu:N, got "${device}"`);
  const dataDir = path.resolve(values.data ?? path.join(os.homedir(), '.cache', 'loraflow-worker'));
  const worker = await startWorker({
    serverUrl: values.server,
    token: values.token ?? (process.env.LORAFLOW_TOKEN || undefined),
    redisUrl,
    device,
    pool: values.pool,
    dataDir,
    allow: (values.allow ?? []).map((a) => path.resolve(a)),
    lockMs,
    log: logLine,
  });
  out(
    `loraflow worker ${worker.id} ready on ${device}, queue ${worker.queue} (server ${values.server}, redis ${redactRedisUrl(redisUrl)})`,
  );
  return new Promise<number>((resolve) => {
    const stop = () => {
      logLine('stopping: a job in progress goes to another worker');
      worker.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
