/**
 * REST request bodies as zod schemas: what each route accepts, checked before it touches anything, refused with
 * a 400 naming the field. The workflow itself is checked by protocol/workflow-io.ts and protocol/validate.ts,
 * which name nodes and parameters; here it only has to be present.
 */
import type { Response } from 'express';
import { z } from 'zod';
import { sendError } from './errors';

export const submitRunBody = z.object({
  workflow: z.unknown().refine((v) => v !== undefined, 'a workflow is required'),
  targets: z.array(z.string()).optional(),
});

export const reorderQueueBody = z.object({ order: z.array(z.string()) });

function where(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** The parsed body, or undefined after answering 400 with what is wrong and where. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  res: Response,
  shape: string,
): z.infer<S> | undefined {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((i) => `${where(i.path) || 'body'}: ${i.message}`);
  sendError(res, 400, 'bad-request', `expected a JSON body ${shape}; ${problems.join('; ')}`);
  return undefined;
}
