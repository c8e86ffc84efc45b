/**
 * Redis connection settings from a `redis://[user:password@]host:port[/db]` URL (`rediss://` for TLS). The
 * password only ever goes to the driver: what is printed or logged is `redactRedisUrl`'s form.
 */
/** What both ioredis and BullMQ take as connection options. */
export interface RedisSettings {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
  maxRetriesPerRequest: null;
  retryStrategy: (times: number) => number;
}

import { ConfigError } from '../config';

/** Refused Redis URL: the message shows the URL without its password. */
export class RedisUrlError extends ConfigError {
  override name = 'RedisUrlError';
}

function parse(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUrlError(`not a Redis URL: "${redactRedisUrl(url)}" (expected redis://host:port)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new RedisUrlError(`not a Redis URL: "${redactRedisUrl(url)}" (expected redis:// or rediss://)`);
  return parsed;
}

/** The URL with its password (if any) replaced by `***`, safe to print. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/**
 * ioredis options for BullMQ: `maxRetriesPerRequest: null` so that commands wait across a Redis restart instead
 * of failing, and a capped reconnect delay so that a restarted Redis is found again within a second.
 */
export function redisOptions(url: string): RedisSettings {
  const u = parse(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new RedisUrlError(`bad database number in "${redactRedisUrl(url)}"`);
  const options: RedisSettings = {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(1000, 50 * times),
  };
  if (u.username) options.username = decodeURIComponent(u.username);
  if (u.password) options.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') options.tls = {};
  return options;
}
