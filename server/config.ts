/**
 * Server and CLI configuration: where the data lives, which folders nodes may touch, where to listen and
 * whether a token is needed. Command-line options win over environment variables, which win over defaults.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { modelFolders, type ModelFolder } from './model-folders';
import { makeFolders } from './make-folders';

export const DEFAULT_PORT = 8420;
export const DEFAULT_HOST = '127.0.0.1';

/** Options as given on the command line; every field is optional. */
export interface ConfigOptions {
  data?: string;
  allow?: string[];
  host?: string;
  port?: number;
  token?: string;
  gpu?: string[];
  cpuSlots?: number;
  redis?: string;
  pool?: string;
  /** ComfyUI or A1111 installs whose checkpoint and LoRA folders the editor offers (and nodes may use). */
  models?: string[];
}

export interface ServerConfig {
  repoRoot: string;
  dataDir: string;
  /** Folders node parameters may name (absolute; created if missing). The first one resolves relative paths. */
  roots: string[];
  host: string;
  port: number;
  token?: string;
  /** Example workflows shipped with the repo: listed, never written. */
  exampleWorkflowsDir: string;
  /** The user's own workflows. */
  userWorkflowsDir: string;
  uploadsDir: string;
  artifactsDir: string;
  workRoot: string;
  dbPath: string;
  cpuSlots: number;
  gpuDevices: string[];
  /** A .ts module exporting `nodes: NodeDefinition[]`, chosen by the operator (tests use it). */
  extraNodesModule?: string;
  /** With workers: the Redis URL of their queues (may hold a password: never print it unredacted). */
  redisUrl?: string;
  /** The named worker pool device nodes go to (default: every worker). */
  workerPool?: string;
  /** Checkpoint and LoRA folders: loraflow's own, then those of each --models install (also allowed roots). */
  modelFolders: ModelFolder[];
}

/** A configuration the server refuses to start with; the message says what to do. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const REPO_ROOT = path.resolve(__dirname, '..');

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The shortest token accepted: 16 characters of `openssl rand -hex 16` or a passphrase of a few words. */
export const MIN_TOKEN_LENGTH = 16;
const MIN_DISTINCT_CHARACTERS = 6;

/** Refuses a token that a script could guess (empty, blank, short or one character repeated). */
export function checkTokenStrength(token: string): void {
  const advice = `use at least ${MIN_TOKEN_LENGTH} characters, e.g. the output of \`openssl rand -hex 16\``;
  if (token.trim() !== token || token.trim() === '')
    throw new ConfigError(`the token is empty or starts or ends with spaces: ${advice}`);
  if (token.length < MIN_TOKEN_LENGTH)
    throw new ConfigError(`the token is too short (${token.length} characters): ${advice}`);
  if (new Set(token).size < MIN_DISTINCT_CHARACTERS)
    throw new ConfigError(
      `the token is too easy to guess (fewer than ${MIN_DISTINCT_CHARACTERS} different characters): ${advice}`,
    );
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(path.delimiter)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Builds the configuration from options and the environment, creating the data folders it names. */
/**
 * An allowed folder must exist: relative paths start at the first one, so a missing one (a typo) made every
 * relative path fail as "does not exist" with a hint about the data folder, which was then not allowed (QA S6-F14).
 */
function checkAllowedFolder(root: string): void {
  const where = path.resolve(root);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(where);
  } catch {
    stat = undefined;
  }
  if (!stat)
    throw new ConfigError(`allowed folder ${where} does not exist (--allow): create it, or name an existing folder`);
  if (!stat.isDirectory()) throw new ConfigError(`allowed folder ${where} is not a folder (--allow)`);
}

export function resolveConfig(opts: ConfigOptions = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const dataDir = path.resolve(opts.data ?? env.LORAFLOW_DATA ?? path.join(REPO_ROOT, 'data'));
  const givenRoots = opts.allow && opts.allow.length > 0 ? opts.allow : splitList(env.LORAFLOW_ROOTS);
  for (const root of givenRoots) checkAllowedFolder(root);
  let folders: ModelFolder[];
  try {
    folders = modelFolders(dataDir, opts.models ?? splitList(env.LORAFLOW_MODELS));
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  // Every model folder the pickers offer is allowed: an install's, so its checkpoints are read and LoRAs saved where
  // ComfyUI reads them, and loraflow's own <data>/models and <data>/loras, which lie outside an --allow folder.
  const allowed = (givenRoots.length > 0 ? givenRoots : [dataDir]).map((r) => path.resolve(r));
  const within = (p: string, root: string) =>
    p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  const modelRoots = folders.map((f) => f.path).filter((p) => !allowed.some((root) => within(p, root)));
  const roots = [...new Set([...allowed, ...modelRoots])];
  const host = opts.host ?? env.LORAFLOW_HOST ?? DEFAULT_HOST;
  const port = opts.port ?? (env.LORAFLOW_PORT ? Number(env.LORAFLOW_PORT) : DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`invalid port ${String(port)}: expected 0-65535`);
  const token = opts.token ?? (env.LORAFLOW_TOKEN || undefined);
  if (token !== undefined) checkTokenStrength(token);
  if (!isLoopbackHost(host) && !token) {
    throw new ConfigError(
      `refusing to listen on ${host} without a token: anyone on the network could run workflows and read files. ` +
        'Pass --token <secret> (or set LORAFLOW_TOKEN), or listen on 127.0.0.1.',
    );
  }
  const gpuDevices =
    opts.gpu && opts.gpu.length > 0 ? opts.gpu : splitList(env.LORAFLOW_GPUS?.replace(/,/g, path.delimiter));
  // Any other name (a typo: cuda0, gpu:0) made a "GPU" slot whose nodes ran on the CPU without a word (QA S8-F15).
  for (const device of gpuDevices)
    if (!/^(cuda|webgpu)(:\d+)?$/.test(device))
      throw new ConfigError(
        `--gpu ${device}: expected cuda:<n> or webgpu:<n>, e.g. --gpu cuda:0 (without --gpu, nodes run on the CPU)`,
      );
  const cpuSlots =
    opts.cpuSlots ?? (env.LORAFLOW_CPU_SLOTS ? Number(env.LORAFLOW_CPU_SLOTS) : Math.max(1, os.cpus().length));
  if (!Number.isInteger(cpuSlots) || cpuSlots < 1)
    throw new ConfigError(`invalid cpu slots ${String(cpuSlots)}: expected a whole number >= 1`);

  const config: ServerConfig = {
    repoRoot: REPO_ROOT,
    dataDir,
    roots,
    host,
    port,
    token,
    exampleWorkflowsDir: path.join(REPO_ROOT, 'workflows'),
    userWorkflowsDir: path.join(dataDir, 'workflows'),
    uploadsDir: path.join(dataDir, 'uploads'),
    artifactsDir: path.join(dataDir, 'artifacts'),
    workRoot: path.join(dataDir, 'work'),
    dbPath: path.join(dataDir, 'loraflow.db'),
    cpuSlots,
    gpuDevices,
    extraNodesModule: env.LORAFLOW_EXTRA_NODES ? path.resolve(env.LORAFLOW_EXTRA_NODES) : undefined,
    modelFolders: folders,
  };
  // Only `serve` passes these (--redis or $LORAFLOW_REDIS): an in-process `loraflow run` keeps its nodes.
  if (opts.redis) config.redisUrl = opts.redis;
  if (opts.pool) config.workerPool = opts.pool;
  for (const dir of [
    dataDir,
    ...roots,
    config.userWorkflowsDir,
    config.uploadsDir,
    config.artifactsDir,
    config.workRoot,
  ]) {
    try {
      makeFolders(dir);
    } catch (e) {
      throw new ConfigError(`cannot use ${dir} as a folder: ${(e as Error).message} (--data, --allow)`);
    }
  }
  return config;
}
