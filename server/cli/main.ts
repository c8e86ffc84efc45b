/**
 * The `loraflow` command line: `run`, `serve`, `validate` and `worker`, each in its own file under commands/.
 * bin/loraflow.js loads this through tsx; the exit code is the command's.
 */
import { ConfigError } from '../config';
import { UsageError } from './args';
import { err, out } from './output';
import { runCommand, RUN_USAGE } from './commands/run';
import { serveCommand, SERVE_USAGE } from './commands/serve';
import { validateCommand, VALIDATE_USAGE } from './commands/validate';
import { importCommand, IMPORT_USAGE } from './commands/import';
import { exportCommand, EXPORT_USAGE } from './commands/export';
import { workerCommand, WORKER_USAGE } from './commands/worker';

const USAGE = `usage: loraflow <command> [options]

commands:
  run <workflow.json>       run a workflow with progress bars (in-process, or --server <url>)
  serve                     start the editor and API server
  validate <workflow.json>  print every validation error of a workflow
  import <config>           turn a kohya / kohya_ss / ai-toolkit config into a workflow
  export <workflow.json>    write a workflow's training as kohya or ai-toolkit configs
  worker                    run training and sampling nodes for a server (--server, --redis)

Run \`loraflow <command> --help\` for a command's options.`;

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  run: { run: runCommand, usage: RUN_USAGE },
  serve: { run: serveCommand, usage: SERVE_USAGE },
  validate: { run: validateCommand, usage: VALIDATE_USAGE },
  import: { run: importCommand, usage: IMPORT_USAGE },
  export: { run: exportCommand, usage: EXPORT_USAGE },
  worker: { run: workerCommand, usage: WORKER_USAGE },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    err(`loraflow: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`loraflow ${name}: ${e.message}\n\n${command.usage}`);
      return 1;
    }
    if (e instanceof ConfigError) {
      err(`loraflow ${name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/**
 * Exits once stdout and stderr have handed everything to the OS: a pipe that is read slowly (`| less`, `| tee`)
 * takes 64 KiB at a time, and process.exit would drop what still waits in Node's buffer. The process cannot just
 * end by itself, since worker threads and sockets a command opened may hold it.
 */
async function exitFlushed(code: number): Promise<never> {
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      if (stream.destroyed || !stream.writable) return resolve();
      stream.once('error', () => resolve()); // a reader that went away (`| head`): nothing more to deliver
      stream.write('', () => resolve());
    });
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

main(process.argv.slice(2)).then(
  (code) => exitFlushed(code),
  (e: unknown) => {
    err(`loraflow: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return exitFlushed(1);
  },
);
