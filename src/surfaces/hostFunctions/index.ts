/**
 * Wires the host functions into the extension: the `vscode.` functions over the real VS Code
 * API (a HostUi), and the registry other extensions reach through the API's registerFunction.
 * Every engine that starts gets the registrations.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SurfaceHost } from '../../services/surfaceHost';
import { vscodeFunctions, type HostUi } from './functions';
import { HostFunctionRegistry, RESERVED_PREFIX } from './registry';

export class HostFunctions implements vscode.Disposable {
  readonly registry = new HostFunctionRegistry();
  private overrides: Partial<HostUi> = {};
  private readonly sub: vscode.Disposable;

  constructor(private readonly host: Pick<SurfaceHost, 'current' | 'trusted' | 'onDidChange'>) {
    const real = realUi(host);
    // Each call looks up the current implementation, so tests can stand in for the user.
    const ui = new Proxy(real, {
      get: (target, key: keyof HostUi) => this.overrides[key] ?? target[key],
    });
    for (const [name, fn] of Object.entries(vscodeFunctions(ui))) this.registry.register(RESERVED_PREFIX + name, fn, true);
    this.sub = host.onDidChange(() => this.sync());
    this.sync();
  }

  private sync(): void {
    const python = this.host.current;
    if (python) this.registry.attach(python);
    else this.registry.detach();
  }

  /** Tests: replaces parts of the UI (answer a message, cancel a progress) until disposed. */
  standIn(parts: Partial<HostUi>): vscode.Disposable {
    this.overrides = { ...this.overrides, ...parts };
    return new vscode.Disposable(() => {
      for (const k of Object.keys(parts) as (keyof HostUi)[]) delete this.overrides[k];
    });
  }

  dispose(): void {
    this.sub.dispose();
    this.registry.detach();
  }
}

function realUi(host: Pick<SurfaceHost, 'current' | 'trusted'>): HostUi {
  return {
    showMessage: (level, message, items) => {
      if (level === 'warning') return vscode.window.showWarningMessage(message, ...items);
      if (level === 'error') return vscode.window.showErrorMessage(message, ...items);
      return vscode.window.showInformationMessage(message, ...items);
    },
    showQuickPick: (items, placeholder) => vscode.window.showQuickPick(items, placeholder === undefined ? {} : { placeHolder: placeholder }),
    showInputBox: (prompt, password, value) => {
      const opts: vscode.InputBoxOptions = { password };
      if (prompt !== undefined) opts.prompt = prompt;
      if (value !== undefined) opts.value = value;
      return vscode.window.showInputBox(opts);
    },
    withProgress: (title, cancellable, task) =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable }, (progress, token) => task(progress, token)),
    open: async (file, line) => {
      const uri = vscode.Uri.file(path.resolve(file));
      const opts: vscode.TextDocumentShowOptions = {};
      if (line !== undefined && line >= 1) {
        const pos = new vscode.Position(line - 1, 0);
        opts.selection = new vscode.Range(pos, pos);
      }
      await vscode.commands.executeCommand('vscode.open', uri, opts);
    },
    clipboardRead: () => vscode.env.clipboard.readText(),
    clipboardWrite: (text) => vscode.env.clipboard.writeText(text),
    workspaceFolders: () => (vscode.workspace.workspaceFolders ?? []).map((f) => (f.uri.scheme === 'file' ? f.uri.fsPath : f.uri.toString())),
    trusted: () => host.trusted,
    interrupt: (contextId) => {
      const python = host.current;
      if (!python) return;
      for (const pool of python.pools()) {
        for (const ctx of python.contexts(pool)) if (ctx.id === contextId) ctx.interrupt();
      }
    },
  };
}
