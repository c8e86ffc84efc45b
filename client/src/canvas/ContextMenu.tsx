/**
 * Right-click menus, as ComfyUI users expect them: on the canvas (add a node or a note here), on a node (run it,
 * bypass, mute, collapse, duplicate, colour, delete; on the whole selection when the node is part of it; convert one
 * of its parameters to an input and back, on that node alone), on a
 * group (colour, select its nodes, delete the frame) and on a wire (delete).
 */
import { memo, useEffect, useState, type ReactNode } from 'react';
import { useReactFlow } from '@xyflow/react';
import { addNoteAt, duplicateSelection, runSelected, toggleSelectedMode } from '../actions';
import { deleteItems, setColor, setNodeFlags, setParamInput } from '../graph/edits';
import { convertedParams, paramSocketType } from '../../../protocol/param-inputs';
import { isParamVisible } from '../../../protocol/validate';
import type { WorkflowNode } from '../../../protocol/workflow';
import { schemasStore } from '../store/schemas';
import { groupFlowId, noteFlowId } from '../graph/ids';
import { useStore } from '../store/createStore';
import { activeTab, edit, setSelection } from '../store/editor';
import { openMenu, openPalette, uiStore, type ContextMenuState } from '../store/ui';

/** ComfyUI's node colours, by name. */
export const COLOURS: [string, string][] = [
  ['red', '#a33'],
  ['brown', '#7a5230'],
  ['green', '#3a6b35'],
  ['blue', '#2f4f8f'],
  ['cyan', '#2c6f77'],
  ['purple', '#6a3d8f'],
  ['yellow', '#8f7f2a'],
];

interface ItemProps {
  label: ReactNode;
  onClick: () => void;
  id: string;
  /** Why the item cannot be used now (shown as its tooltip); a disabled item does nothing when clicked. */
  disabledWhy?: string;
}

const Item = ({ label, onClick, id, disabledWhy }: ItemProps) => (
  <li
    role="menuitem"
    aria-disabled={disabledWhy ? true : undefined}
    className={disabledWhy ? 'disabled' : undefined}
    title={disabledWhy}
    onClick={() => {
      if (disabledWhy) return;
      openMenu(undefined);
      onClick();
    }}
    data-testid={`menu-${id}`}
  >
    {label}
  </li>
);

/** Why the nodes cannot be run as targets (the server refuses muted and bypassed ones), or undefined. */
function whyNotRunnable(ids: readonly string[]): string | undefined {
  const doc = activeTab().doc;
  for (const id of ids) {
    const mode = doc.nodes.find((n) => n.id === id)?.mode;
    if (mode === 'mute') return `${id} is muted: unmute it to run it`;
    if (mode === 'bypass') return `${id} is bypassed: un-bypass it to run it`;
  }
  return undefined;
}

function Colours({ flowIds }: { flowIds: string[] }) {
  return (
    <li className="menu-colours" data-testid="menu-colours">
      {COLOURS.map(([name, hex]) => (
        <button
          key={name}
          className="swatch"
          style={{ background: hex }}
          title={name}
          onClick={() => (openMenu(undefined), edit(setColor(flowIds, hex)))}
          data-testid={`menu-colour-${name}`}
        />
      ))}
      <button
        className="swatch none"
        title="no colour"
        onClick={() => (openMenu(undefined), edit(setColor(flowIds, undefined)))}
        data-testid="menu-colour-none"
      >
        ×
      </button>
    </li>
  );
}

/** The nodes a node's menu acts on: the whole selection when the node is part of it, else the node alone. */
function nodesFor(id: string): string[] {
  const tab = activeTab();
  const selected = tab.selectedNodes.filter((s) => tab.doc.nodes.some((n) => n.id === s));
  return selected.includes(id) ? selected : [id];
}

/**
 * "Convert <param> back to a widget" for each converted parameter, and the others that can be converted behind one
 * item that opens their list (TrainLoRA has dozens of parameters).
 */
function ParamInputItems({ node }: { node: WorkflowNode }) {
  const [open, setOpen] = useState(false);
  const schema = useStore(schemasStore, (s) => s.byType.get(node.type));
  if (!schema) return null;
  const converted = convertedParams(schema, node);
  const convertible = schema.params.filter(
    (p) => paramSocketType(p) !== undefined && !converted.includes(p) && isParamVisible(schema, p, node.params),
  );
  const name = (p: { name: string; label?: string }) => p.label ?? p.name;
  return (
    <>
      {converted.map((p) => (
        <Item
          key={p.name}
          id={`unconvert-${p.name}`}
          label={`Convert ${name(p)} back to a widget`}
          onClick={() => edit(setParamInput(node.id, p.name, false))}
        />
      ))}
      {convertible.length > 0 && (
        <li role="menuitem" onClick={() => setOpen(!open)} data-testid="menu-convert-params">
          {`Convert a parameter to an input ${open ? '▾' : '▸'}`}
        </li>
      )}
      {open && (
        <li className="menu-sublist">
          <ul>
            {convertible.map((p) => (
              <Item
                key={p.name}
                id={`convert-${p.name}`}
                label={`Convert ${name(p)} to input`}
                onClick={() => edit(setParamInput(node.id, p.name, true))}
              />
            ))}
          </ul>
        </li>
      )}
    </>
  );
}

function NodeItems({ id }: { id: string }) {
  const ids = nodesFor(id);
  const doc = activeTab().doc;
  const node = doc.nodes.find((n) => n.id === id);
  const many = ids.length > 1 ? ` (${ids.length} nodes)` : '';
  return (
    <>
      <Item
        id="run-node"
        label={`▶ Run ${ids.length > 1 ? 'these' : 'this node'} and what it needs`}
        onClick={() => void runSelected(ids)}
        disabledWhy={whyNotRunnable(ids)}
      />
      <Item
        id="bypass"
        label={`${node?.mode === 'bypass' ? 'Un-bypass' : 'Bypass'}${many}  Ctrl+B`}
        onClick={() => toggleSelectedMode('bypass', ids)}
      />
      <Item
        id="mute"
        label={`${node?.mode === 'mute' ? 'Unmute' : 'Mute'}${many}  Ctrl+M`}
        onClick={() => toggleSelectedMode('mute', ids)}
      />
      <Item
        id="collapse"
        label={node?.collapsed ? `Expand${many}` : `Collapse${many}`}
        onClick={() => edit(setNodeFlags(ids, { collapsed: !node?.collapsed }))}
      />
      <Item id="duplicate" label={`Duplicate${many}`} onClick={() => duplicateSelection(ids)} />
      {node && ids.length === 1 && <ParamInputItems node={node} />}
      <Colours flowIds={ids} />
      <Item id="delete" label={`Delete${many}`} onClick={() => edit(deleteItems(ids, []))} />
    </>
  );
}

function GroupItems({ id }: { id: string }) {
  const tab = activeTab();
  const members = tab.doc.nodes.filter((n) => n.group === id).map((n) => n.id);
  return (
    <>
      <Item
        id="select-members"
        label={`Select its ${members.length} node(s)`}
        onClick={() => setSelection(tab.id, members, [])}
      />
      <Item id="run-group" label="▶ Run its nodes" onClick={() => void runSelected(members)} />
      <Colours flowIds={[groupFlowId(id)]} />
      <Item
        id="delete-group"
        label="Delete the frame (keep its nodes)"
        onClick={() => edit(deleteItems([groupFlowId(id)], []))}
      />
    </>
  );
}

function MenuItems({ menu }: { menu: ContextMenuState }) {
  const flow = useReactFlow();
  const t = menu.target;
  switch (t.kind) {
    case 'pane':
      return (
        <>
          <Item id="add-node" label="Add node here…" onClick={() => openPalette({ screen: menu.screen })} />
          <Item id="add-note" label="Add note here" onClick={() => addNoteAt(flow.screenToFlowPosition(menu.screen))} />
        </>
      );
    case 'node':
      return <NodeItems id={t.id} />;
    case 'group':
      return <GroupItems id={t.id} />;
    case 'note':
      return (
        <>
          <Colours flowIds={[noteFlowId(t.id)]} />
          <Item id="delete-note" label="Delete note" onClick={() => edit(deleteItems([noteFlowId(t.id)], []))} />
        </>
      );
    case 'edge':
      return <Item id="delete-wire" label="Delete wire" onClick={() => edit(deleteItems([], [t.id]))} />;
  }
}

export const ContextMenu = memo(function ContextMenu() {
  const menu = useStore(uiStore, (s) => s.menu);
  useEffect(() => {
    if (!menu) return;
    const close = (e: MouseEvent): void => {
      if (!(e.target as HTMLElement).closest?.('.context-menu')) openMenu(undefined);
    };
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [menu]);
  if (!menu) return null;
  return (
    <ul
      className="context-menu"
      role="menu"
      style={{ left: menu.screen.x, top: menu.screen.y }}
      onContextMenu={(e) => e.preventDefault()}
      data-testid={`context-menu-${menu.target.kind}`}
    >
      <MenuItems menu={menu} />
    </ul>
  );
});
