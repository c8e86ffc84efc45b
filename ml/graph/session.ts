/** Opening an onnxruntime-node session on a built graph (bytes and external data stay in memory). */
import { InferenceSession } from 'onnxruntime-node';
import type { GraphCore } from './core';
import { serializeModel, type SerializeOptions } from './serialize';

export type SessionOptions = InferenceSession.SessionOptions &
  SerializeOptions & {
    /**
     * Let idle intra-op threads spin between ops (onnxruntime's default). Off by default here: training and sampling
     * share the CPU with the server, the editor and other workers, and on a busy machine spinning threads burn the time
     * slices the working thread needs. Measured on the 2-core machine under load: a transformer training step took
     * 466 ms without spinning against 940 ms with it, and a 1024^3 MatMul ran at 81 against 51 GFLOP/s.
     */
    spinning?: boolean;
  };

/** Serializes `g` and creates a session; options such as `executionProviders` pass through. */
export async function createSession(g: GraphCore, opts: SessionOptions = {}): Promise<InferenceSession> {
  const { externalThreshold, spinning, ...rest } = opts;
  const sessionOpts = { ...rest, extra: withSpinning(rest.extra, spinning ?? false) };
  const { model, externalData } = serializeModel(g, { externalThreshold });
  try {
    return await InferenceSession.create(model, externalData.length ? { ...sessionOpts, externalData } : sessionOpts);
  } catch (e) {
    throw new Error(`onnxruntime refused graph '${g.graphName}': ${(e as Error).message}`);
  }
}

/** `extra` with session.intra_op.allow_spinning set, unless the caller set it there already. */
function withSpinning(extra: Record<string, unknown> | undefined, spinning: boolean): Record<string, unknown> {
  const session = (extra?.session ?? {}) as Record<string, unknown>;
  const intraOp = (session.intra_op ?? {}) as Record<string, unknown>;
  if (intraOp.allow_spinning !== undefined) return extra ?? {};
  return { ...extra, session: { ...session, intra_op: { ...intraOp, allow_spinning: spinning ? '1' : '0' } } };
}
