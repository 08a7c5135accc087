/**
 * The Plots view: a webview view in our container showing figures and images from editor
 * runs, like Positron's Plots pane. The history and the sizes come from ./history.ts; the
 * page is media/plots/plots.js. Figures are drawn again at the view's size by matplotlib in
 * the process that made them (python/py_contexts/plots.py); notebooks keep their figures in
 * their cells and never come here.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { ownerOf } from '../../services/surfaceHost';
import { CONFIG_SECTION, ContextKeys, VIEW_PLOTS } from '../../manifest/ids';
import { documentLabel } from '../../text/labels';
import type { DisplayData, PyProcess } from '../../engine/types';
import type { CodeBlock, RunObserver, RunSink } from '../contracts';
import { dataUri, PlotHistory, plotFromDisplay, renderSize, saveFormats, suggestedName, type Plot } from './history';

/** What the Plots view needs from the extension: the process that holds a figure. */
export interface PlotsHost {
  readonly extensionUri: vscode.Uri;
  findProcess(uri: vscode.Uri): PyProcess | undefined;
}

/** What the page last reported it shows (for the integration tests). */
export interface RenderedState {
  id: string | undefined;
  count: number;
  index: number;
  /** The picture's own size in pixels. */
  width: number;
  height: number;
}

type Message =
  | { type: 'ready' | 'size'; width: number; height: number; pixelRatio: number }
  | { type: 'command'; command: string; id?: string }
  | { type: 'openSource' }
  | ({ type: 'rendered' } & RenderedState)
  | { type: 'copied'; ok: boolean; error?: string };

/** How long drawing a figure again may take before the old picture stays. */
const RENDER_TIMEOUT_MS = 10_000;

export class PlotsView implements vscode.WebviewViewProvider, RunObserver, vscode.Disposable {
  readonly history = new PlotHistory();
  private view: vscode.WebviewView | undefined;
  private size: { width: number; height: number; pixelRatio: number } | undefined;
  private fit = true;
  private serial = 0;
  private readonly subs: vscode.Disposable[] = [];
  private readonly onRenderedEmitter = new vscode.EventEmitter<RenderedState>();
  /** Fires when the page has shown a state (tests wait on it). */
  readonly onRendered = this.onRenderedEmitter.event;
  rendered: RenderedState | undefined;
  /** Sizes figures were last drawn at, so a resize back and forth draws once. */
  private readonly drawnAt = new Map<string, string>();

  constructor(private readonly host: PlotsHost) {
    this.subs.push(vscode.window.registerWebviewViewProvider(VIEW_PLOTS, this, { webviewOptions: { retainContextWhenHidden: true } }), this.onRenderedEmitter);
  }

  /** RunObserver: every picture a run from an editor shows. */
  begin(doc: vscode.TextDocument, block: CodeBlock): RunSink {
    const source = { uri: doc.uri.toString(), owner: ownerOf(doc).toString(), line: block.firstLine };
    return {
      output: () => undefined,
      display: (d: DisplayData) => this.add(d, source),
      end: () => undefined,
    };
  }

  add(display: DisplayData, source: Plot['source']): Plot | undefined {
    const plot = plotFromDisplay(display, source, `${++this.serial}`);
    if (!plot) return undefined;
    this.forget(this.history.add(plot));
    this.changed();
    this.reveal();
    void this.redraw(plot);
    return plot;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const media = vscode.Uri.joinPath(this.host.extensionUri, 'media', 'plots');
    view.webview.options = { enableScripts: true, localResourceRoots: [media] };
    const nonce = randomBytes(16).toString('base64');
    const csp = `default-src 'none'; img-src data: blob:; style-src ${view.webview.cspSource}; script-src 'nonce-${nonce}'; connect-src data: blob:;`;
    const css = view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'plots.css'));
    const js = view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'plots.js'));
    view.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}"><link rel="stylesheet" href="${css.toString()}"></head><body>
<div class="toolbar">
<button id="back" data-cmd="back" title="Previous plot">◀</button><button id="forward" data-cmd="forward" title="Next plot">▶</button>
<button id="fit" data-cmd="fit" title="Zoom to fit">Fit</button><button id="save" data-cmd="save" title="Save as PNG or SVG">Save</button>
<button id="copy" data-cmd="copy" title="Copy to the clipboard">Copy</button><button id="delete" data-cmd="delete" title="Delete this plot">Delete</button>
<button id="clear" data-cmd="clear" title="Clear all plots">Clear</button><span class="count" id="count"></span></div>
<div id="stage"><div id="empty">Figures from runs in Python files show here: plt.show(), a figure left open, display() of an image.</div><img id="plot" alt="plot"></div>
<div id="source"></div><div id="thumbs"></div>
<script nonce="${nonce}" src="${js.toString()}"></script></body></html>`;
    this.subs.push(
      view.webview.onDidReceiveMessage((m: Message) => void this.receive(m)),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
      }),
    );
  }

  private async receive(m: Message): Promise<void> {
    switch (m.type) {
      case 'ready':
      case 'size':
        this.size = { width: m.width, height: m.height, pixelRatio: m.pixelRatio };
        if (m.type === 'ready') this.post();
        if (this.history.current) await this.redraw(this.history.current);
        return;
      case 'rendered':
        this.rendered = { id: m.id, count: m.count, index: m.index, width: m.width, height: m.height };
        this.onRenderedEmitter.fire(this.rendered);
        return;
      case 'openSource':
        await this.openSource();
        return;
      case 'copied':
        if (!m.ok) void vscode.window.showWarningMessage(`Py Contexts: the plot could not be copied (${m.error ?? 'no clipboard'}).`);
        return;
      case 'command':
        await this.command(m.command, m.id);
        return;
    }
  }

  /** The toolbar's and the commands' actions. */
  async command(command: string, id?: string): Promise<void> {
    switch (command) {
      case 'back':
        if (this.history.back()) this.shown();
        break;
      case 'forward':
        if (this.history.forward()) this.shown();
        break;
      case 'select':
        if (id && this.history.select(id)) this.shown();
        break;
      case 'delete': {
        const removed = this.history.remove(id ?? this.history.current?.id ?? '');
        if (removed) this.forget([removed]);
        this.shown();
        break;
      }
      case 'clear':
        this.forget(this.history.clear());
        this.changed();
        break;
      case 'fit':
        this.fit = !this.fit;
        this.changed();
        break;
      case 'save':
        await this.save();
        break;
    }
  }

  /** Saves the shown plot; `format` and `target` skip the questions (tests, keybindings). */
  async save(format?: 'png' | 'svg', target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const plot = this.history.current;
    if (!plot) return undefined;
    const formats = saveFormats(plot);
    const fmt = format && formats.includes(format) ? format : formats.length === 1 ? formats[0] : undefined;
    let uri = target;
    if (!uri) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const name = suggestedName(plot, fmt ?? 'png');
      uri = await vscode.window.showSaveDialog({
        title: 'Save Plot',
        ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
        filters: Object.fromEntries(formats.map((f) => [f === 'png' ? 'PNG image' : 'SVG image', [f]])),
      });
      if (!uri) return undefined;
    }
    const chosen: 'png' | 'svg' = fmt ?? (uri.path.toLowerCase().endsWith('.svg') && formats.includes('svg') ? 'svg' : 'png');
    const bytes = await this.bytes(plot, chosen);
    if (!bytes) {
      void vscode.window.showWarningMessage(`Py Contexts: the plot cannot be saved as ${chosen.toUpperCase()}; its process has closed.`);
      return undefined;
    }
    await vscode.workspace.fs.writeFile(uri, bytes);
    return uri;
  }

  private async bytes(plot: Plot, format: 'png' | 'svg'): Promise<Uint8Array | undefined> {
    const as = plot.mime === 'image/png' ? 'png' : 'svg';
    // A figure is saved as matplotlib first drew it (its own size), not at the pane's.
    if (plot.figure && (format === 'svg' || plot.width !== undefined)) {
      const drawn = await this.render(plot, format, plot.width ?? 0, plot.height ?? 0, 100);
      if (drawn !== undefined) return format === 'png' ? Buffer.from(drawn, 'base64') : Buffer.from(drawn, 'utf8');
    }
    if (as !== format) return undefined;
    return as === 'png' ? Buffer.from(plot.data, 'base64') : Buffer.from(plot.data, 'utf8');
  }

  private async render(plot: Plot, format: 'png' | 'svg', width: number, height: number, dpi: number): Promise<string | undefined> {
    const proc = this.host.findProcess(vscode.Uri.parse(plot.source.owner));
    if (!plot.figure || !proc || proc.closed) return undefined;
    try {
      const out = await proc.call('py_contexts.plots', 'render', [plot.figure, width, height, dpi, format], undefined, { timeoutMs: RENDER_TIMEOUT_MS });
      return typeof out === 'string' ? out : undefined;
    } catch {
      // A busy or restarted context: the picture already shown stays.
      return undefined;
    }
  }

  /** Draws the figure again at the pane's size (setting pyContexts.plots.rerender). */
  private async redraw(plot: Plot): Promise<void> {
    if (!plot.figure || !this.size) return;
    if (!vscode.workspace.getConfiguration(CONFIG_SECTION).get<boolean>('plots.rerender', true)) return;
    const size = renderSize(this.size.width, this.size.height, this.size.pixelRatio);
    if (!size) return;
    const key = `${size.width}x${size.height}@${size.dpi}`;
    if (this.drawnAt.get(plot.id) === key) return;
    this.drawnAt.set(plot.id, key);
    const png = await this.render(plot, 'png', size.width, size.height, size.dpi);
    if (png === undefined || !this.history.find(plot.id)) return;
    plot.data = png;
    this.changed();
  }

  private shown(): void {
    this.changed();
    const current = this.history.current;
    if (current) void this.redraw(current);
  }

  private changed(): void {
    void vscode.commands.executeCommand('setContext', ContextKeys.hasPlots, this.history.items.length > 0);
    this.post();
  }

  private post(): void {
    if (!this.view) return;
    const state = {
      items: this.history.items.map((p) => ({ id: p.id, src: dataUri(p), caption: `${documentLabel(p.source.uri)}:${p.source.line}` })),
      index: this.history.position,
      fit: this.fit,
    };
    void this.view.webview.postMessage({ type: 'state', state });
  }

  /** Shows the view when a plot arrives, without taking the focus from the editor. */
  private reveal(): void {
    if (this.view) {
      if (!this.view.visible) this.view.show(true);
      return;
    }
    // Not resolved yet: focusing it is the only way to open it; the editor gets the focus back.
    const editor = vscode.window.activeTextEditor;
    void Promise.resolve(vscode.commands.executeCommand(`${VIEW_PLOTS}.focus`)).then(() => {
      if (editor && vscode.window.activeTextEditor === editor) return vscode.window.showTextDocument(editor.document, editor.viewColumn);
      return undefined;
    });
  }

  private async openSource(): Promise<void> {
    const plot = this.history.current;
    if (!plot) return;
    const line = Math.max(plot.source.line - 1, 0);
    await vscode.window.showTextDocument(vscode.Uri.parse(plot.source.uri), { selection: new vscode.Range(line, 0, line, 0) });
  }

  /** Lets the process drop figures the history no longer shows. */
  private forget(plots: readonly Plot[]): void {
    const byOwner = new Map<string, string[]>();
    for (const p of plots) {
      this.drawnAt.delete(p.id);
      if (p.figure) byOwner.set(p.source.owner, [...(byOwner.get(p.source.owner) ?? []), p.figure]);
    }
    for (const [owner, figures] of byOwner) {
      const proc = this.host.findProcess(vscode.Uri.parse(owner));
      // Fire and forget: a closed process has dropped its figures anyway.
      if (proc && !proc.closed) void proc.call('py_contexts.plots', 'forget', [figures]).catch(() => undefined);
    }
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
