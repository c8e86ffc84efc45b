/**
 * The node search (Ctrl+K, double-click, "Add node", or a wire dropped on empty canvas): type to filter, Enter
 * or click to add. For a dropped wire it lists only nodes with a matching socket and connects the new node.
 */
import { memo, useMemo, useState, type KeyboardEvent } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { NodeSchema } from '../../../protocol/schema';
import { socketsCompatible } from '../../../protocol/schema';
import { compatibleSchemas } from '../graph/compat';
import { addNode, connect, newNode, takenIds } from '../graph/edits';
import { activeTab, edit, setSelection } from '../store/editor';
import { useStore } from '../store/createStore';
import { schemasStore } from '../store/schemas';
import { openPalette, uiStore, type PaletteState } from '../store/ui';

/** Schemas matching a search text (title, type, category or description), best matches first. */
export function searchSchemas(list: readonly NodeSchema[], text: string): NodeSchema[] {
  const q = text.trim().toLowerCase();
  if (!q) return [...list].sort((a, b) => a.category.localeCompare(b.category) || a.title.localeCompare(b.title));
  const score = (s: NodeSchema): number => {
    const title = s.title.toLowerCase();
    if (title.startsWith(q) || s.type.toLowerCase().startsWith(q)) return 0;
    if (title.includes(q) || s.type.toLowerCase().includes(q)) return 1;
    if (s.category.toLowerCase().includes(q)) return 2;
    return s.description.toLowerCase().includes(q) ? 3 : -1;
  };
  return list
    .map((s) => [s, score(s)] as const)
    .filter(([, sc]) => sc >= 0)
    .sort((a, b) => a[1] - b[1])
    .map(([s]) => s);
}

/** The search box's hint: a wire dragged from an output wants nodes taking that type; from an input, nodes making it. */
export function paletteHint(palette: PaletteState): string {
  const wire = palette.wire;
  if (!wire) return 'search nodes…';
  return wire.from === 'source' ? `nodes taking ${wire.type}…` : `nodes producing ${wire.type}…`;
}

function addFromPalette(schema: NodeSchema, palette: PaletteState, position: { x: number; y: number }): void {
  const tab = activeTab();
  const node = newNode(schema, position, takenIds(tab.doc));
  edit((doc) => {
    addNode(node)(doc);
    const wire = palette.wire;
    if (!wire) return;
    if (wire.from === 'source') {
      const input = schema.inputs.find((s) => socketsCompatible(wire.type, s.type));
      if (input)
        connect(
          { from: { node: wire.node, socket: wire.socket }, to: { node: node.id, socket: input.name } },
          input.list === true,
        )(doc);
    } else {
      const output = schema.outputs.find((s) => socketsCompatible(s.type, wire.type));
      if (output)
        connect(
          { from: { node: node.id, socket: output.name }, to: { node: wire.node, socket: wire.socket } },
          false,
        )(doc);
    }
  });
  setSelection(tab.id, [node.id], []);
}

export const Palette = memo(function Palette() {
  const palette = useStore(uiStore, (s) => s.palette);
  const schemas = useStore(schemasStore, (s) => s.list);
  const [text, setText] = useState('');
  const [cursor, setCursor] = useState(0);
  const flow = useReactFlow();
  const candidates = useMemo(() => {
    const wire = palette?.wire;
    const base = wire ? compatibleSchemas(schemas, wire.type, wire.from === 'source' ? 'inputs' : 'outputs') : schemas;
    return searchSchemas(base, text);
  }, [schemas, palette, text]);
  if (!palette) return null;
  const close = (): void => {
    openPalette(undefined);
    setText('');
    setCursor(0);
  };
  const pick = (schema: NodeSchema | undefined): void => {
    if (!schema) return;
    addFromPalette(schema, palette, flow.screenToFlowPosition(palette.screen));
    close();
  };
  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') close();
    else if (e.key === 'ArrowDown') setCursor((c) => Math.min(c + 1, candidates.length - 1));
    else if (e.key === 'ArrowUp') setCursor((c) => Math.max(c - 1, 0));
    else if (e.key === 'Enter') pick(candidates[cursor]);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <div className="palette-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="palette" data-testid="palette">
        <input
          autoFocus
          placeholder={paletteHint(palette)}
          value={text}
          onChange={(e) => (setText(e.target.value), setCursor(0))}
          onKeyDown={onKey}
          data-testid="palette-search"
        />
        <ul>
          {candidates.map((s, i) => (
            <li
              key={s.type}
              className={i === cursor ? 'active' : ''}
              onMouseEnter={() => setCursor(i)}
              onClick={() => pick(s)}
              title={s.description}
              data-testid={`palette-item-${s.type}`}
            >
              <span className="cat">{s.category}</span> {s.title} <small>{s.type}</small>
            </li>
          ))}
          {candidates.length === 0 && <li className="muted">no matching node</li>}
        </ul>
      </div>
    </div>
  );
});
