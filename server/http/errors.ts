import type { ErrorRequestHandler, Response } from 'express';
import type { ApiError } from '../../protocol/api';
import { PathError } from '../engine/paths';

/** Sends `{ error, message }` with `status`; every API failure has this shape. */
export function sendError(res: Response, status: number, error: string, message: string): void {
  const body: ApiError = { error, message };
  res.status(status).json(body);
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  length?: number;
  message?: string;
}

/** Turns thrown errors (body parser, path policy, bugs) into clear JSON answers. */
export function errorHandler(log: (message: string) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    const e = (err ?? {}) as BodyParserError;
    if (e.type === 'too-deep') return sendError(res, 400, 'too-deep', e.message ?? 'nested too deep');
    if (e.type === 'entity.parse.failed')
      return sendError(res, 400, 'bad-json', `the request body is not valid JSON: ${e.message ?? ''}`);
    if (e.type === 'entity.too.large') {
      const mb = (n: number | undefined) => (n === undefined ? '?' : (n / 1024 / 1024).toFixed(1));
      return sendError(
        res,
        413,
        'too-large',
        `the request body (${mb(e.length)} MB) is over the limit of ${mb(e.limit)} MB`,
      );
    }
    if (err instanceof PathError) return sendError(res, 403, 'path-refused', err.message);
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
      return sendError(res, e.status, e.type ?? 'bad-request', e.message ?? 'bad request');
    log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return sendError(res, 500, 'internal', err instanceof Error ? err.message : 'internal error');
  };
}
