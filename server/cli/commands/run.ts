import { applyOverrides, OverrideError } from '../../../protocol/overrides';
import type { ServerMessage } from '../../../protocol/messages';
import { resolveConfig } from '../../config';
import { createRuntime } from '../../queue';
import { DATA_OPTIONS, UsageError, configOptions, parseCommand } from '../args';
import { loadWorkflowFile } from '../load-workflow';
import { err, out } from '../output';
import { ProgressRenderer } from '../progress';
import { formatSummary, nodeTitle } from '../summary';
import { formatTrainingSummaries } from '../training-summary';
import type { ArtifactRef } from '../../../protocol/values';
import { formatValidationErrors } from '../validation-report';
import { runRemote } from './run-remote';
import { interruptRunsOfDeadOwners } from '../../queue/reclaim';
import { reportInterrupted } from '../interrupted';

export const RUN_USAGE = `usage: loraflow run <workflow.json> [--set <nodeId|title>.<param>=<value>]...
                    [--data <folder>] [--allow <folder>]... [--gpu <device>]... [--server <url> [--token <secret>]]

Runs a workflow with a progress bar per running node and prints its outputs. In-process by default, sharing
the data folder's history and cache with the server; --server submits it to a running server instead.
  --set     override a parameter, e.g. --set train.steps=200 or --set "Load images.folder=photos"
  --gpu     a GPU device for training nodes, e.g. webgpu:0 or cuda:0 (repeatable), as serve takes it
Exit code 0 on success, 1 on failure or validation errors, 130 when interrupted with Ctrl+C.`;

export const EXIT_INTERRUPTED = 130;

/** `loraflow run`: validates, runs and summarizes one workflow. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    ...DATA_OPTIONS,
    set: { type: 'string', multiple: true },
    gpu: { type: 'string', multiple: true },
    server: { type: 'string' },
    token: { type: 'string' },
  });
  if (values.help) {
    out(RUN_USAGE);
    return 0;
  }
  const { workflow: loaded, warnings } = loadWorkflowFile(positionals[0]);
  for (const w of warnings) err(`warning: ${w}`);
  const sets = values.set ?? [];
  if (values.server) return runRemote(values.server, loaded, sets, values.token ?? process.env.LORAFLOW_TOKEN);

  const runtime = createRuntime(resolveConfig(configOptions(values)), { adoptExisting: false });
  try {
    reportInterrupted(interruptRunsOfDeadOwners(runtime.db.runs));
    const schemas = runtime.env.registry.schemas();
    let workflow = loaded;
    try {
      workflow = applyOverrides(loaded, schemas, sets);
    } catch (e) {
      if (e instanceof OverrideError) throw new UsageError(e.message);
      throw e;
    }
    let runId = '';
    const renderer = new ProgressRenderer((nodeId) => nodeTitle(workflow, schemas, nodeId));
    const pending: ServerMessage[] = [];
    runtime.queue.subscribe((m) => {
      if (!('runId' in m)) return;
      if (runId === '') pending.push(m);
      else if (m.runId === runId) renderer.handle(m);
    });
    const submitted = runtime.queue.submit(workflow);
    if (!submitted.ok) {
      out(submitted.kind === 'validation' ? formatValidationErrors(submitted.errors) : submitted.message);
      return 1;
    }
    for (const w of submitted.warnings) err(`warning: ${w}`);
    runId = submitted.id;
    for (const m of pending) if ('runId' in m && m.runId === runId) renderer.handle(m);

    let interrupted = false;
    // SIGTERM (timeout, systemd, docker stop) too: the run lives in this process, and dying without a cancel left
    // it 'running' in the history until the next command noticed its owner was gone.
    const onSignal = () => {
      if (interrupted) process.exit(EXIT_INTERRUPTED); // a second Ctrl+C does not wait
      interrupted = true;
      err('\ncancelling… (Ctrl+C again to quit at once)');
      runtime.queue.cancel(runId);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const final = await runtime.queue.waitFor(runId);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    renderer.stop();
    const detail = runtime.queue.detail(runId);
    if (detail) {
      const location = (ref: ArtifactRef) => runtime.env.artifacts.pathOf(ref);
      out(formatSummary(detail, schemas, location));
      const logsOf = (nodeId: string) => runtime.db.telemetry.logs(runId, nodeId);
      const training = formatTrainingSummaries(detail, logsOf, (id) => nodeTitle(workflow, schemas, id), location);
      if (training.length > 0) out(['training:', ...training].join('\n'));
    }
    if (interrupted) return EXIT_INTERRUPTED;
    return final.status === 'succeeded' ? 0 : 1;
  } finally {
    await runtime.close();
  }
}
