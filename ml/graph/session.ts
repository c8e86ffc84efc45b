/** Opening an onnxruntime-node session on a built graph (bytes and external data stay in memory). */
import { InferenceSession } from 'onnxruntime-node';
import type { GraphCore } from './core';
import { serializeModel, type SerializeOptions } from './serialize';

export type SessionOptions = InferenceSession.SessionOptions & SerializeOptions;

/** Serializes `g` and creates a session; options such as `executionProviders` pass through. */
export async function createSession(g: GraphCore, opts: SessionOptions = {}): Promise<InferenceSession> {
  const { externalThreshold, ...sessionOpts } = opts;
  const { model, externalData } = serializeModel(g, { externalThreshold });
  try {
    return await InferenceSession.create(model, externalData.length ? { ...sessionOpts, externalData } : sessionOpts);
  } catch (e) {
    throw new Error(`onnxruntime refused graph '${g.graphName}': ${(e as Error).message}`);
  }
}
