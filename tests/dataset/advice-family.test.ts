/**
 * DatasetReport's steps, rank and learning rate follow the model the dataset is trained for: in the quick start
 * (built-in emoji model) those of its TrainLoRA, not the guide's SD 1.5 figures; without a TrainLoRA to read, the
 * advice says which family its figures are for.
 *
 *   model(LoadModel) ───────────────────────┐
 *   images ──> caption ──> resize ──┬──> train(TrainLoRA: 600 steps, rank 16, lr 0.002)
 *                                   └──> report(DatasetReport)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetReport } from '../../nodes/dataset/dataset-report';
import { loadImages } from '../../nodes/dataset/load-images';
import type { DatasetReport } from '../../nodes/dataset/types';
import type { JsonValue } from '../../protocol/values';
import type { WorkflowFile } from '../../protocol/workflow';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { marked, write } from './fixtures';

let ctx: TestNodeContext;
beforeEach(() => (ctx = tempContext('advice-family')));
afterEach(() => ctx.cleanup());

const quickStart = (): WorkflowFile =>
  JSON.parse(readFileSync(join(__dirname, '../../workflows/quickstart-style-lora.json'), 'utf8')) as WorkflowFile;

async function reportWith(workflow: WorkflowFile | undefined): Promise<DatasetReport> {
  for (let i = 0; i < 20; i++)
    write(
      join(ctx.root, 'd', `e${i}.png`),
      await marked(64, 64, { r: 10 * i, g: 90, b: 200 - 5 * i })
        .png()
        .toBuffer(),
    );
  const dataset = (await runNode(loadImages, { folder: 'd' }, {}, ctx)).dataset as JsonValue;
  const out = await runNode(datasetReport, {}, { dataset }, { ...ctx, nodeId: 'report', workflow });
  return out.report as unknown as DatasetReport;
}

test('in the quick start the advice gives its TrainLoRA figures for the built-in emoji model', async () => {
  const report = await reportWith(quickStart());
  expect(report.advice).toMatchObject({ family: 'emoji', steps: 600, rank: 16, learningRate: 0.002 });
  expect(report.advice.basisMessage).toMatch(/for the built-in emoji model .*from "train"/);
  expect(report.advice.basisMessage).toMatch(
    /2000-2500 steps, rank 32 and learning rate 0.0001 are for Stable Diffusion 1.5/,
  );
  expect(report.summary.join('\n')).toContain(
    'suggested for the built-in emoji model: 600 steps, rank 16, learning rate 0.002',
  );
});

test('the same report fed to an SD 1.5 model gives the guide figures and says they are for SD 1.5', async () => {
  const wf = quickStart();
  wf.nodes.find((n) => n.id === 'model')!.params.family = 'sd15';
  const report = await reportWith(wf);
  expect(report.advice).toMatchObject({ family: 'sd15', steps: 2000, rank: 32, learningRate: 0.0001 });
  expect(report.summary.join('\n')).toContain('suggested for Stable Diffusion 1.5: 2000 steps');
});

test('with no TrainLoRA to read, the advice says which family its figures are for', async () => {
  const report = await reportWith(undefined);
  expect(report.advice.family).toBe('unknown');
  expect(report.advice.basisMessage).toMatch(
    /for Stable Diffusion 1.5 and SDXL; the built-in emoji model needs far fewer/,
  );
  expect(report.summary.join('\n')).toContain('suggested for Stable Diffusion 1.5 / SDXL: 2000 steps, rank 32');
});
