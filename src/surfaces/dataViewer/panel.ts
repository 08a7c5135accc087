/**
 * The data viewer's VS Code side: one webview panel (an editor tab) per viewer, each driven by
 * a ViewerSession (session.ts). Thin glue; it depends on the small DataViewerHost below, never
 * on the engine service.
 *
 * Viewers open from the Context Pool tree (`pyContexts.viewData` on a viewable variable) and
 * from Python (`py_contexts.view(obj)`, `%view df`), through the `vscode.dataViewer.open` host
 * function. Closing the document (its process) closes its viewers.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Context, PyProcess } from '../../engine/types';
import type { FromWebview, ToWebview } from './protocol';
import { ViewerSession, type ViewTarget, type ViewerState } from './session';
import { ProcessViewSource } from './source';

/** What the viewers need from the extension. */
export interface DataViewerHost {
  readonly extensionUri: vscode.Uri;
  /** Fires when engine state changes (calls start or end, processes open or close). */
  readonly onDidChange: vscode.Event<void>;
  /** The live process and context with these ids, if both exist. */
  locate(processId: string, contextId: string): { proc: PyProcess; ctx: Context } | undefined;
}

export const VIEW_TYPE = 'pyContexts.dataViewer';

interface Viewer {
  panel: vscode.WebviewPanel;
  session: ViewerSession;
  source: ProcessViewSource;
}

export class DataViewers implements vscode.Disposable {
  private readonly viewers = new Set<Viewer>();
  private readonly sub: vscode.Disposable;

  constructor(private readonly host: DataViewerHost) {
    // Closing a document closes its process: its viewers have nothing left to show.
    this.sub = host.onDidChange(() => {
      for (const v of [...this.viewers]) if (v.source.proc.closed) v.panel.dispose();
    });
  }

  /** Opens a variable of a process's environment in `ctx` (the tree's View Data). */
  openVariable(proc: PyProcess, ctx: Context, path: readonly string[], title: string): ViewerState {
    return this.open(proc, ctx, { path, title });
  }

  /**
   * The `vscode.dataViewer.open` host function: Python has opened view `view` in the
   * environment of `process` in `context`. Returns at once: the viewer's first request waits
   * in the context's queue until the code that called py_contexts.view() has finished.
   */
  openFromPython(arg: unknown): null {
    const a = (arg ?? {}) as { process?: unknown; context?: unknown; view?: unknown; title?: unknown };
    if (typeof a.process !== 'string' || typeof a.context !== 'string' || typeof a.view !== 'number') {
      throw new TypeError('dataViewer.open({process, context, view, title}): process and context must be strings, view a number');
    }
    const found = this.host.locate(a.process, a.context);
    if (!found) throw new Error(`no open process '${a.process}' in context '${a.context}'`);
    this.open(found.proc, found.ctx, { view: a.view, title: typeof a.title === 'string' ? a.title : 'data' });
    return null;
  }

  private open(proc: PyProcess, ctx: Context, target: ViewTarget): ViewerState {
    const root = vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, `Data: ${target.title}`, { viewColumn: vscode.ViewColumn.Active }, {
      enableScripts: true,
      localResourceRoots: [root],
      // The grid keeps its scroll position, sort and filters while the tab is in the background.
      retainContextWhenHidden: true,
    });
    const source = new ProcessViewSource(proc, ctx, (l) => this.host.onDidChange(l));
    const post = (msg: ToWebview): void => {
      void panel.webview.postMessage(msg).then(undefined, () => undefined); // a disposed panel drops it
    };
    const session = new ViewerSession(source, { post }, target);
    const viewer: Viewer = { panel, session, source };
    this.viewers.add(viewer);
    const subs = [
      panel.webview.onDidReceiveMessage((msg: FromWebview) => {
        // handle() never rejects: a failure is shown in the viewer's status line.
        void session.handle(msg);
      }),
      panel.onDidDispose(() => {
        this.viewers.delete(viewer);
        for (const s of subs) s.dispose();
        // Frees the view in Python; nothing waits for it.
        void session.dispose(!proc.closed && proc.contextsUsed.includes(ctx));
      }),
    ];
    panel.webview.html = html(panel.webview, root, target.title);
    return session.state;
  }

  /** Tests: the open viewers' states, and a way to act in a viewer's grid as a user would. */
  list(): { title: string; state: ViewerState; post(msg: ToWebview): Thenable<boolean>; refresh(): Promise<void>; close(): void }[] {
    return [...this.viewers].map((v) => ({
      title: v.panel.title,
      state: v.session.state,
      post: (msg) => v.panel.webview.postMessage(msg),
      refresh: () => v.session.refresh(),
      close: () => v.panel.dispose(),
    }));
  }

  dispose(): void {
    this.sub.dispose();
    for (const v of [...this.viewers]) v.panel.dispose();
  }
}

function html(webview: vscode.Webview, root: vscode.Uri, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const js = webview.asWebviewUri(vscode.Uri.joinPath(root, 'dataViewer.js'));
  const css = webview.asWebviewUri(vscode.Uri.joinPath(root, 'dataViewer.css'));
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  // The grid injects its theme as <style> elements, hence 'unsafe-inline' for styles only.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline'; img-src ${webview.cspSource} data:; font-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${css.toString()}">
<title>${esc(title)}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${js.toString()}"></script>
</body>
</html>`;
}
