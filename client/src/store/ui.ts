/** Transient UI state: the node search, the image viewer, the path picker, the side panel's tab, measured sizes. */
import type { PathKind, SocketType } from '../../../protocol/schema';
import { createStore } from './createStore';
import { idRecord } from './records';

/** A wire dropped on empty canvas: the new node gets connected to this socket. */
export interface PendingWire {
  node: string;
  socket: string;
  type: SocketType;
  /** 'source' when the wire starts at an output (the new node needs a matching input). */
  from: 'source' | 'target';
}

export interface PaletteState {
  screen: { x: number; y: number };
  wire?: PendingWire;
}

export interface PathPickerState {
  nodeId: string;
  param: string;
  pathKind: PathKind;
  start: string;
  /** A model parameter's picker: pickle files show greyed, with why they are not loaded. */
  models?: 'checkpoints' | 'loras';
}

/** A right-click menu: where it opens and on what. */
export interface ContextMenuState {
  screen: { x: number; y: number };
  target: { kind: 'pane' } | { kind: 'node' | 'group' | 'note' | 'edge'; id: string };
}

export type SideTab = 'node' | 'runs' | 'compare' | 'library';

/** One image of the viewer, with the lines that say what it is (prompt, seed, strength). */
export interface ViewedImage {
  url: string;
  label: string;
}

export interface UiState {
  palette?: PaletteState;
  /** The image viewer: the images it steps through and the one shown. */
  enlarged?: { images: ViewedImage[]; index: number };
  picker?: PathPickerState;
  menu?: ContextMenuState;
  /** The template gallery is open. */
  gallery?: boolean;
  /** Bumped when this editor changed the library (a save), so an open library list reloads. */
  libraryVersion?: number;
  sideTab: SideTab;
  compare: string[];
  /** Sizes React Flow measured, per tab and flow id (controlled nodes must carry them back); null-prototype records. */
  measured: Record<string, Record<string, { width: number; height: number }>>;
}

export const uiStore = createStore<UiState>({ sideTab: 'node', compare: [], measured: idRecord() });

export function openPalette(palette: PaletteState | undefined): void {
  uiStore.update((s) => void (s.palette = palette));
}

export function setSideTab(tab: SideTab): void {
  uiStore.update((s) => void (s.sideTab = tab));
}

export function enlarge(url: string | undefined, label = ''): void {
  uiStore.update((s) => void (s.enlarged = url ? { images: [{ url, label }], index: 0 } : undefined));
}

/** Opens the viewer on `images[index]`, with the others a step away (arrow keys or buttons). */
export function enlargeGallery(images: ViewedImage[], index: number): void {
  uiStore.update((s) => void (s.enlarged = images.length ? { images, index } : undefined));
}

/** Steps the viewer by `delta` images, wrapping around. */
export function stepViewer(delta: number): void {
  uiStore.update((s) => {
    const v = s.enlarged;
    if (v) v.index = (v.index + delta + v.images.length) % v.images.length;
  });
}

/** Says the library changed (the Library panel reloads its list). */
export function libraryChanged(): void {
  uiStore.update((s) => void (s.libraryVersion = (s.libraryVersion ?? 0) + 1));
}

export function openGallery(open: boolean): void {
  uiStore.update((s) => void (s.gallery = open || undefined));
}

export function openMenu(menu: ContextMenuState | undefined): void {
  uiStore.update((s) => void (s.menu = menu));
}

export function openPicker(picker: PathPickerState | undefined): void {
  uiStore.update((s) => void (s.picker = picker));
}

/** Marks a run for comparison (at most two; the oldest choice drops out). */
export function toggleCompare(runId: string): void {
  uiStore.update((s) => {
    if (s.compare.includes(runId)) s.compare = s.compare.filter((r) => r !== runId);
    else s.compare = [...s.compare, runId].slice(-2);
  });
}
