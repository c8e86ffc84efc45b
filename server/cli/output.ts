/** The CLI's only way to print: results on stdout, progress and diagnostics on stderr. */
export const out = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
export const err = (text: string): void => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);

/** A server log line on stderr with the time, so that stdout carries only what scripts parse. */
export function logLine(message: string): void {
  err(`${new Date().toISOString()} ${message}`);
}
