/**
 * What keeps a web page from driving the local server. A page on any site can make the browser send requests to
 * 127.0.0.1, so the server answers only when:
 *  - the `Host` header is its own (127.0.0.1, localhost, [::1] or the --host name, on the port the connection came
 *    in on): a page whose domain was rebound to 127.0.0.1 (DNS rebinding) sends its own domain as Host;
 *  - a state-changing request carries no foreign `Origin` and no `Sec-Fetch-Site: cross-site`;
 *  - a state-changing API request says `Content-Type: application/json` (uploads: the `X-Loraflow-Upload`
 *    header), which a cross-site HTML form cannot send without a CORS preflight that this server never grants.
 * The same Host and Origin checks apply to the WebSocket handshake, with or without a token.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { sendError } from './errors';

/** The header the editor sends with uploads (whose Content-Type is the image's, not JSON). */
export const UPLOAD_HEADER = 'x-loraflow-upload';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

interface HostAndPort {
  hostname: string;
  port: number;
}

/** Parses `name[:port]` as a URL's host would be (lower case, IPv6 in brackets); undefined when malformed. */
function parseHost(value: string, defaultPort: number): HostAndPort | undefined {
  if (/[\s/@?#\\]/.test(value)) return undefined; // userinfo, paths or other extras: not a plain host
  try {
    const url = new URL(`http://${value}`);
    return { hostname: url.hostname, port: url.port === '' ? defaultPort : Number(url.port) };
  } catch {
    return undefined;
  }
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The host names this server answers to, and whether it listens on every interface. */
export class OwnHosts {
  private readonly names: Set<string>;
  private readonly wildcard: boolean;

  constructor(readonly configuredHost: string) {
    const own = bracketed(configuredHost.toLowerCase());
    this.wildcard = WILDCARD_HOSTS.has(own);
    this.names = new Set([...LOOPBACK_NAMES, ...(this.wildcard ? [] : [own])]);
  }

  /**
   * Whether `host` (a Host header or an Origin's host) names this server on `port`. A server on every interface
   * also answers to IP literals: rebinding needs a domain name, and the machine's addresses are not known here.
   */
  isOwn(host: string | undefined, port: number): boolean {
    if (!host) return false;
    const parsed = parseHost(host, 80);
    if (!parsed || parsed.port !== port) return false;
    if (this.names.has(parsed.hostname)) return true;
    return this.wildcard && (IPV4.test(parsed.hostname) || parsed.hostname.startsWith('['));
  }

  /** For messages: the hosts a request may name. */
  describe(port: number): string {
    const list = [...this.names].map((n) => `${n}:${port}`);
    return this.wildcard ? `${list.join(', ')} or an IP address of this machine` : list.join(', ');
  }

  /**
   * Whether a browser Origin is this server's own page. Nothing else is: not even another loopback origin, since any
   * local program may serve pages there (the editor's Vite dev server forwards requests with the server's Origin).
   */
  isOwnOrigin(origin: string, port: number): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // includes the opaque origin "null" of sandboxed frames and file: pages
    }
    if (url.protocol !== 'http:') return false;
    return this.isOwn(url.host, port);
  }
}

/** Why a request is refused, or undefined when its Host and Origin are fine. */
export function foreignRequestProblem(
  req: IncomingMessage,
  hosts: OwnHosts,
): { status: number; error: string; message: string } | undefined {
  const port = req.socket.localPort ?? 0;
  const host = req.headers.host;
  if (!hosts.isOwn(host, port)) {
    return {
      status: 403,
      error: 'foreign-host',
      message:
        `this server answers only to Host ${hosts.describe(port)}, not ${JSON.stringify(host ?? '')}: ` +
        `a page on another domain cannot drive it (open http://127.0.0.1:${port}, or start the server with ` +
        '--host <the name you use> to reach it by that name)',
    };
  }
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  const stateChanging = !SAFE_METHODS.has(req.method ?? 'GET') || isUpgrade(req);
  if (stateChanging && (site === 'cross-site' || (origin !== undefined && !hosts.isOwnOrigin(origin, port)))) {
    return {
      status: 403,
      error: 'cross-site',
      message: `refused a ${req.method ?? ''} from another site (Origin ${origin ?? 'none'}, Sec-Fetch-Site ${String(site ?? 'none')}): only the editor served here may change things`,
    };
  }
  return undefined;
}

function isUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Express middleware applying the Host and Origin checks to every request. */
export function refuseForeignRequests(hosts: OwnHosts): RequestHandler {
  return (req, res, next) => {
    const problem = foreignRequestProblem(req, hosts);
    if (!problem) return next();
    sendError(res, problem.status, problem.error, problem.message);
  };
}

/**
 * Express middleware for the API: POST, PUT, PATCH and DELETE need `Content-Type: application/json`, uploads the
 * X-Loraflow-Upload header. Mounted under /api, so `req.path` is relative to it.
 */
export function requireScriptedRequests(): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    if (req.method === 'POST' && req.path === '/uploads') {
      if (req.headers[UPLOAD_HEADER] !== undefined) return next();
      return sendError(
        res,
        415,
        'upload-header-missing',
        `POST /api/uploads needs the header "X-Loraflow-Upload: 1" (a page on another site cannot send it)`,
      );
    }
    if (mediaType(req) === 'application/json') return next();
    sendError(
      res,
      415,
      'json-required',
      `${req.method} /api${req.path} needs "Content-Type: application/json" (got ${JSON.stringify(req.headers['content-type'] ?? 'none')}); ` +
        'a page on another site cannot send it without permission this server never gives',
    );
  };
}
