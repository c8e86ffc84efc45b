/**
 * A worker's HTTP client for its server: every request carries the token (`Authorization: Bearer`), JSON
 * bodies say `Content-Type: application/json` (the server refuses other state-changing requests), and fetch
 * sends the server's own Host. Failures name the server (never a token) and the route.
 */
export class ServerRequestError extends Error {
  override name = 'ServerRequestError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ServerClient {
  readonly baseUrl: string;
  getJson<T>(path: string): Promise<T>;
  getBytes(path: string): Promise<Buffer>;
  postJson<T>(path: string, body: unknown): Promise<T>;
}

/** A client for the server at `baseUrl` (http://host:port), with `token` when the server has one. */
export function createServerClient(baseUrl: string, token: string | undefined, timeoutMs = 60_000): ServerClient {
  const base = baseUrl.replace(/\/+$/, '');
  const headers = (json: boolean): Record<string, string> => ({
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
    ...(json ? { 'Content-Type': 'application/json' } : {}),
  });
  const request = async (method: string, path: string, body?: unknown): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(`${base}/api${path}`, {
        method,
        headers: headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new ServerRequestError(`cannot reach the server ${base} (${method} /api${path}): ${(e as Error).message}`);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new ServerRequestError(`${method} /api${path} on ${base}: ${res.status} ${text.slice(0, 300)}`, res.status);
    }
    return res;
  };
  return {
    baseUrl: base,
    getJson: async <T>(path: string) => (await (await request('GET', path)).json()) as T,
    getBytes: async (path) => Buffer.from(await (await request('GET', path)).arrayBuffer()),
    postJson: async <T>(path: string, body: unknown) => (await (await request('POST', path, body)).json()) as T,
  };
}

/** Calls `fn` until it succeeds or `deadlineMs` passes (the server may be restarting), waiting longer each time. */
export async function withRetries<T>(fn: () => Promise<T>, deadlineMs: number, signal?: AbortSignal): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      // A refusal (4xx) will not change by asking again; only an unreachable or failing server might.
      const status = (e as ServerRequestError).status;
      if ((status !== undefined && status < 500) || Date.now() > end || signal?.aborted) throw e;
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * attempt)));
    }
  }
}
