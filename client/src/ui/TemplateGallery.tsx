/**
 * The template gallery, at the top of the library (open on a first visit, and with "Templates…"): the guide's
 * scenarios as ready workflows, each with its one-line purpose and a picture of its result (what the built-in
 * model drew running it), or a drawing of its graph where the template needs the user's own images. Picking one
 * opens it in a new tab; it is a copy, so saving it leaves the shipped file alone.
 */
import { memo, useEffect, useState } from 'react';
import type { TemplateListing } from '../../../protocol/api';
import { api } from '../api/http';
import { openWorkflowText } from '../actions';
import { useStore } from '../store/createStore';
import { toast } from '../store/toasts';
import { openGallery, uiStore } from '../store/ui';

const W = 200;
const H = 90;

/** The template's graph in outline: a box per node, a line per wire, scaled into the card. */
const GraphPicture = memo(function GraphPicture({ t }: { t: TemplateListing }) {
  const xs = t.nodes.map((n) => n.x);
  const ys = t.nodes.map((n) => n.y);
  const [x0, y0] = [Math.min(...xs), Math.min(...ys)];
  const span = Math.max(Math.max(...xs) - x0 + 260, (Math.max(...ys) - y0 + 200) * (W / H), 1);
  const k = W / span;
  const at = new Map(t.nodes.map((n) => [n.id, { x: (n.x - x0) * k + 4, y: (n.y - y0) * k + 4 }]));
  return (
    <svg
      className="template-picture"
      viewBox={`0 0 ${W + 8} ${H + 8}`}
      role="img"
      aria-label={`${t.nodes.length} nodes`}
    >
      {t.edges.map(([a, b], i) => {
        const p = at.get(a);
        const q = at.get(b);
        return p && q ? <line key={i} x1={p.x + 240 * k} y1={p.y + 8} x2={q.x} y2={q.y + 8} /> : null;
      })}
      {t.nodes.map((n) => {
        const p = at.get(n.id)!;
        return (
          <rect key={n.id} x={p.x} y={p.y} width={240 * k} height={Math.max(10, 160 * k)} rx={2}>
            <title>{n.type}</title>
          </rect>
        );
      })}
    </svg>
  );
});

/** The picture of the template's result; the graph's drawing when none ships or it cannot be loaded. */
const CardPicture = memo(function CardPicture({ t }: { t: TemplateListing }) {
  const [failed, setFailed] = useState(false);
  if (!t.picture || failed) return <GraphPicture t={t} />;
  return (
    <img
      className="template-picture result"
      src={t.picture}
      alt={`what “${t.title}” makes`}
      onError={() => setFailed(true)}
      data-testid={`result-picture-${t.name}`}
    />
  );
});

async function openTemplate(name: string): Promise<void> {
  try {
    openWorkflowText(JSON.stringify(await api.template(name)));
  } catch (e) {
    toast(`Cannot open the template: ${(e as Error).message}`, 'error');
  }
}

export const TemplateGallery = memo(function TemplateGallery() {
  const open = useStore(uiStore, (s) => s.gallery === true);
  const [list, setList] = useState<TemplateListing[]>([]);
  useEffect(() => {
    if (open && list.length === 0) api.templates().then(setList, (e: Error) => toast(e.message, 'error'));
  }, [open, list.length]);
  if (!open) return null;
  return (
    <div className="gallery" data-testid="template-gallery">
      <h4>
        Start from a template{' '}
        <button className="icon" onClick={() => openGallery(false)} title="Hide the templates">
          ×
        </button>
      </h4>
      <ul>
        {list.map((t) => (
          <li key={t.name} onClick={() => void openTemplate(t.name)} data-testid={`template-${t.name}`}>
            <CardPicture t={t} />
            <b>{t.title}</b>
            <span className="badge">{t.scenario}</span>
            <div className="muted">{t.description}</div>
          </li>
        ))}
      </ul>
    </div>
  );
});
