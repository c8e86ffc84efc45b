import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { sendError } from './errors';

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: `Authorization: Bearer …`, or `?token=` (for WebSocket and <img> URLs). */
export function tokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const url = new URL(req.url ?? '/', 'http://localhost');
  return url.searchParams.get('token') ?? undefined;
}

/** Whether a request may use the API: always when no token is configured, else only with the token. */
export function isAuthorized(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const given = tokenOf(req);
  return given !== undefined && sameSecret(given, token);
}

/** Express middleware refusing API calls without the configured token. */
export function requireToken(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (isAuthorized(req, token)) return next();
    sendError(
      res,
      401,
      'unauthorized',
      'this server needs a token: send "Authorization: Bearer <token>" or add ?token=<token>',
    );
  };
}
