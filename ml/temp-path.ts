/**
 * The name of the temp file an atomic write goes through: `<target>.tmp-<pid>-<random>`, beside its target so that
 * the final rename stays on one file system. The pid lets the server remove, at start-up, the temp files of a
 * process that was killed mid-write (server/engine/temp-files.ts) without touching those of a live one.
 */
import { randomBytes } from 'node:crypto';

/** A fresh temp path beside `target`. */
export function tempPathFor(target: string): string {
  return `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Matches the names tempPathFor makes; group 1 is the writer's pid. */
export const TEMP_NAME = /\.tmp-(\d+)-[0-9a-f]+$/;
