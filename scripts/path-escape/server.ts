/** A real `loraflow serve` on a loopback port for the path-escape command, and the few requests it sends. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(__dirname, '../../bin/loraflow.js');

export interface Served {
  url: string;
  stop(): Promise<void>;
}

/** Starts `loraflow serve --port 0 --data <data>` and resolves once it listens. */
export function serve(data: string): Promise<Served> {
  const proc: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', data], {
    env: { ...process.env, LORAFLOW_TOKEN: '', LORAFLOW_EXTRA_NODES: '', LORAFLOW_ROOTS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /loraflow listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({
        url,
        async stop() {
          proc.kill('SIGTERM');
          await exited;
        },
      });
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${String(code)} before listening:\n${output}`));
    });
  });
}

export interface Answer {
  status: number;
  text: string;
  json: unknown;
}

/** One request; a JSON body is sent as JSON (the server refuses state changes that are not). */
export async function request(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const isBytes = body instanceof Uint8Array;
  const res = await fetch(url, {
    method,
    headers: { ...(body !== undefined && !isBytes ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : isBytes ? new Uint8Array(body).buffer : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}
