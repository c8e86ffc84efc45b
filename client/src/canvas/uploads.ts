/** Image files dropped on a node with an `uploads` list parameter go to the server and into that list. */
import type { WorkflowNode } from '../../../protocol/workflow';
import { api } from '../api/http';
import { edit, editorStore, activeTab } from '../store/editor';
import { setParam } from '../graph/edits';
import { workflowPath } from '../graph/paths';
import { toast } from '../store/toasts';

export const UPLOADS_PARAM = 'uploads';

/** Uploads the image files and appends their server paths to the node's `uploads` list (one undo step). */
export async function uploadImagesInto(nodeId: string, files: readonly File[]): Promise<void> {
  const images = files.filter((f) => f.type.startsWith('image/'));
  if (images.length === 0) return toast('Only image files can be dropped here.', 'error');
  const paths: string[] = [];
  const { roots } = await api.roots().catch(() => ({ roots: [] as string[] }));
  for (const f of images) {
    try {
      paths.push(workflowPath((await api.upload(f.name, f)).path, roots));
    } catch (e) {
      toast(`Upload of ${f.name} failed: ${(e as Error).message}`, 'error');
    }
  }
  const node: WorkflowNode | undefined = activeTab(editorStore.get()).doc.nodes.find((n) => n.id === nodeId);
  if (!node || paths.length === 0) return;
  const current = Array.isArray(node.params[UPLOADS_PARAM]) ? (node.params[UPLOADS_PARAM] as string[]) : [];
  edit(setParam(nodeId, UPLOADS_PARAM, [...current, ...paths]));
  toast(`Added ${paths.length} image${paths.length > 1 ? 's' : ''} to ${node.title ?? node.type}.`);
}
