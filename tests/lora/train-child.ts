/** A separate process that runs TrainLoRA (tests/lora/kill.test.ts kills it mid-run). Argument: a JSON job file. */
import { readFileSync } from 'node:fs';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { nodeContext } from '../support/node-context';
import { runNode } from './setup';

const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as {
  dataDir: string;
  inputs: Record<string, never>;
  params: Record<string, never>;
};
runNode(trainLoraNode, job.params, job.inputs, nodeContext(job.dataDir)).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  },
);
