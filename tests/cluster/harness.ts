/**
 * The parts of a cluster test, all real: a redis-server on a free loopback port with an append-only file in a
 * temp folder, a `loraflow serve --redis` process, and `loraflow worker` processes (child_process, so that a test
 * can kill -9 one), plus a small TrainLoRA workflow on the shipped emoji model and a twemoji dataset.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { WorkflowFile } from '../../protocol/workflow';
import { writeStyleDataset } from '../lora/fixtures';
import { BIN, TEST_NODES, tempDir, workflow } from '../server/harness';

/** A free TCP port on 127.0.0.1 (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RedisProcess {
  url: string;
  port: number;
  dir: string;
  /** SIGKILL (its append-only file is what survives) and wait for exit. */
  kill(): Promise<void>;
  /** SIGTERM (Redis writes its append-only file out) and wait for exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder. */
  restart(): Promise<void>;
}

/** Waits until `port` accepts connections. */
async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts redis-server with AOF on a free port in a temp folder; `password` sets requirepass. */
export async function startRedis(password?: string): Promise<RedisProcess> {
  const port = await freePort();
  const dir = tempDir('loraflow-redis-');
  let proc: ChildProcess | undefined;
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''];
    if (password) args.push('--requirepass', password);
    proc = spawn('/usr/bin/redis-server', args, { stdio: 'ignore' });
    await waitForPort(port);
  };
  await start();
  const auth = password ? `:${encodeURIComponent(password)}@` : '';
  const end = async (signal: NodeJS.Signals) => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
  };
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    dir,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    restart: start,
  };
}

export interface WorkerProcess {
  proc: ChildProcess;
  output: () => string;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Spawns `loraflow worker` and resolves once it says it is ready. */
export function startWorkerProcess(
  serverUrl: string,
  redisUrl: string,
  dataDir: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const args = [BIN, 'worker', '--server', serverUrl, '--redis', redisUrl, '--data', dataDir, '--lock-ms', '4000'];
  const proc = spawn(process.execPath, [...args, ...extraArgs], {
    env: { ...process.env, LORAFLOW_EXTRA_NODES: TEST_NODES, LORAFLOW_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/loraflow worker \S+ ready/.test(output)) {
        clearTimeout(timer);
        resolve({
          proc,
          output: () => output,
          async kill() {
            if (proc.exitCode === null) proc.kill('SIGKILL');
            await exited;
          },
          async stop() {
            if (proc.exitCode === null) proc.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${String(code)} before it was ready:\n${output}`));
    });
  });
}

/** Writes the twemoji style dataset into `<dataDir>/style` (the server's allowed folder is the data folder). */
export async function writeDataset(dataDir: string, count = 6): Promise<void> {
  await writeStyleDataset(path.join(dataDir, 'style'), count);
}

/**
 *   model: LoadModel ─────────────┐
 *   images: LoadImages → caption → resize → train: TrainLoRA
 * `seed` makes each run's training its own job (another cache key).
 */
export function trainWorkflow(
  name: string,
  train: Record<string, number | string>,
  seed = 0,
  files: { folder?: string; model?: string } = {},
): WorkflowFile {
  return workflow(
    name,
    [
      ['model', 'LoadModel', { file: files.model ?? '' }],
      ['images', 'LoadImages', { folder: files.folder ?? 'style' }],
      ['caption', 'Caption', { mode: 'keep', trigger: 'xyz_style' }],
      ['resize', 'Resize', { resolution: 32 }],
      [
        'train',
        'TrainLoRA',
        {
          steps: 20,
          batch: 2,
          rank: 4,
          alpha: 4,
          learningRate: 0.003,
          checkpointEvery: 5,
          keepLast: 2,
          sampleEvery: 0,
          stepsPerRun: 5,
          seed,
          ...train,
        },
      ],
    ],
    [
      'images.dataset->caption.dataset',
      'caption.dataset->resize.dataset',
      'model.model->resize.model',
      'resize.dataset->train.dataset',
      'model.model->train.model',
    ],
  );
}
