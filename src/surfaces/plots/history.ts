/**
 * The Plots view's model: which displays are plots, the history with back and forward, and
 * the size a figure is drawn again at. Pure; tested in test/unit/plots.unit.test.ts.
 */
import type { DisplayData } from '../../engine/types';

export type PlotMime = 'image/png' | 'image/svg+xml';

export interface PlotSource {
  /** The editor's document (`uri.toString()`). */
  readonly uri: string;
  /** The document whose process holds the figure (a notebook cell's notebook, else the document). */
  readonly owner: string;
  /** 1-based first line of the code that made the plot. */
  readonly line: number;
}

export interface Plot {
  readonly id: string;
  readonly mime: PlotMime;
  /** PNG as base64, SVG as text. */
  data: string;
  /** The kept matplotlib figure (python/py_contexts/plots.py), for drawing it again. */
  readonly figure?: string;
  /** The size of the first picture, in pixels, as matplotlib drew it. */
  readonly width?: number;
  readonly height?: number;
  readonly source: PlotSource;
}

/** How many plots the history keeps; python/py_contexts/plots.py keeps as many figures. */
export const MAX_PLOTS = 30;

function figureMeta(metadata: Record<string, unknown>): { figure?: string; width?: number; height?: number } {
  const m = metadata['py_contexts'];
  if (typeof m !== 'object' || m === null) return {};
  const { figure, width, height } = m as Record<string, unknown>;
  return {
    ...(typeof figure === 'string' ? { figure } : {}),
    ...(typeof width === 'number' ? { width } : {}),
    ...(typeof height === 'number' ? { height } : {}),
  };
}

/** A display that is a picture (a figure, an image, an SVG) as a plot; anything else: undefined. */
export function plotFromDisplay(display: DisplayData, source: PlotSource, id: string): Plot | undefined {
  const png = display.data['image/png'];
  if (typeof png === 'string' && png !== '') return { id, mime: 'image/png', data: png, ...figureMeta(display.metadata), source };
  const svg = display.data['image/svg+xml'];
  if (typeof svg === 'string' && svg !== '') return { id, mime: 'image/svg+xml', data: svg, source };
  return undefined;
}

/** The picture as a URI an <img> can show. */
export function dataUri(plot: Plot): string {
  return plot.mime === 'image/png' ? `data:image/png;base64,${plot.data}` : `data:image/svg+xml;base64,${Buffer.from(plot.data, 'utf8').toString('base64')}`;
}

/** The formats a plot can be saved in: a figure in both; an image only as it came. */
export function saveFormats(plot: Plot): ('png' | 'svg')[] {
  if (plot.figure) return ['png', 'svg'];
  return [plot.mime === 'image/png' ? 'png' : 'svg'];
}

/**
 * The size to draw a figure at for a pane of `width`×`height` CSS pixels on a screen with
 * `pixelRatio`: matplotlib's inches stay at 100 CSS pixels each (text keeps its size), and
 * the dpi follows the screen, so the picture is sharp and fills the pane without stretching.
 * Undefined when the pane is too small to be worth drawing for.
 */
export function renderSize(width: number, height: number, pixelRatio: number): { width: number; height: number; dpi: number } | undefined {
  if (!(width >= 50 && height >= 50)) return undefined;
  const ratio = pixelRatio > 0 && Number.isFinite(pixelRatio) ? Math.min(pixelRatio, 4) : 1;
  return { width: Math.round(width * ratio), height: Math.round(height * ratio), dpi: Math.round(100 * ratio) };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** True for bytes that start like a PNG file. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** A file name for saving: the source document's name and the plot's place in the history. */
export function suggestedName(plot: Plot, format: 'png' | 'svg'): string {
  const path = plot.source.uri.replace(/[?#].*$/, '');
  const base = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)).replace(/\.[^.]*$/, '') || 'plot';
  return `${base}-${plot.id}.${format}`;
}

/**
 * Plots, oldest first, and the one shown. A new plot is shown at once; back and forward
 * move through the history; deleting the shown one shows its neighbour.
 */
export class PlotHistory {
  private readonly list: Plot[] = [];
  private index = -1;

  constructor(private readonly max = MAX_PLOTS) {}

  get items(): readonly Plot[] {
    return this.list;
  }

  get current(): Plot | undefined {
    return this.list[this.index];
  }

  get position(): number {
    return this.index;
  }

  /** Adds and shows a plot; returns the plots dropped to stay within `max`. */
  add(plot: Plot): Plot[] {
    this.list.push(plot);
    const dropped = this.list.length > this.max ? this.list.splice(0, this.list.length - this.max) : [];
    this.index = this.list.length - 1;
    return dropped;
  }

  back(): boolean {
    if (this.index <= 0) return false;
    this.index--;
    return true;
  }

  forward(): boolean {
    if (this.index >= this.list.length - 1) return false;
    this.index++;
    return true;
  }

  select(id: string): boolean {
    const i = this.list.findIndex((p) => p.id === id);
    if (i < 0) return false;
    this.index = i;
    return true;
  }

  find(id: string): Plot | undefined {
    return this.list.find((p) => p.id === id);
  }

  /** Removes a plot; the one shown moves to the next (or the previous at the end). */
  remove(id: string): Plot | undefined {
    const i = this.list.findIndex((p) => p.id === id);
    if (i < 0) return undefined;
    const [removed] = this.list.splice(i, 1);
    if (i < this.index || this.index >= this.list.length) this.index--;
    return removed;
  }

  clear(): Plot[] {
    this.index = -1;
    return this.list.splice(0);
  }
}
