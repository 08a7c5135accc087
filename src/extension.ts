/**
 * activate(): builds the services, then the surfaces, and hands every registration to one
 * store that VS Code disposes. Nothing here runs Python: the engine starts on first use.
 */
import * as vscode from 'vscode';
import { startPython } from './core';
import { DisposableStore } from './services/disposables';
import { Services } from './services/services';
import { ownerOf } from './services/surfaceHost';
import { CONFIG_SECTION, Commands, VIEW_CONTEXT_POOL } from './manifest/ids';
import type { OutputChannelSink } from './services/output';
import type { Python, PyProcess } from './engine/types';
import { ContextCommands, type Target } from './surfaces/commands/commands';
import { ContextTreeProvider, type TreeNode } from './surfaces/contextTree/provider';
import { HostFunctions } from './surfaces/hostFunctions';
import { DataViewers } from './surfaces/dataViewer/panel';
import { locate } from './surfaces/dataViewer/source';
import type { HostFunction } from './engine/bridge';
import { CONSOLE_CONTROLLER_ID, registerNotebookController } from './surfaces/notebook';
import { Consoles } from './surfaces/console/console';
import { PlotsView, type RenderedState } from './surfaces/plots/view';
import { SharingCommands } from './surfaces/commands/sharing';
import { registerLiveProviders } from './surfaces/live/providers';
import { CellCodeLensProvider } from './surfaces/runSelection/codeLens';
import { InlineResults } from './surfaces/runSelection/decorations';
import type { Mark } from './surfaces/runSelection/inline';
import { Runner } from './surfaces/runSelection/runner';
import { StatusBar } from './surfaces/statusBar/statusBar';
import { StatePersistence } from './surfaces/persistence';

/** The API other extensions (and our integration tests) get from `activate()`. */
export interface PyContextsApi {
  /** The engine; starts it on first call. Rejects in untrusted workspaces. */
  python(): Promise<Python>;
  /** The process of an open document or notebook, if it has run anything; never starts Python. */
  processFor(uri: vscode.Uri): PyProcess | undefined;
  /** Fires when engine state changes (calls start or end, processes open or close). */
  onDidChange: vscode.Event<void>;
  /**
   * Makes `fn` callable from Python as `host.call(name, ...)` (README "Calling VS Code from
   * Python"). Names starting with `vscode.` are reserved. Works before Python starts.
   */
  registerFunction(name: string, fn: HostFunction): vscode.Disposable;
  /**
   * Runs the code of document `uriA` in the environment of document `uriB` from now on, as
   * "Share Environment with…" does (README "One environment for several documents");
   * resolves to the shared process. Starts Python if needed; rejects when untrusted.
   */
  shareProcess(uriA: vscode.Uri, uriB: vscode.Uri): Promise<PyProcess>;
  /**
   * Read-only views for the integration tests; not a stable API. `marks` are the inline
   * results and error markers of a document; `outputText` is the recent text of the
   * "Py Contexts" output channel; `tree` is the Context Pool's provider and view.
   */
  _test: {
    marks(uri: vscode.Uri): readonly Mark[];
    outputText(): string;
    outputSize(): { chars: number; trimmed: number; max: number };
    fullOutputFiles(): readonly { label: string; path: string }[];
    statusBar(): ReturnType<StatusBar['state']>;
    engineState(): string;
    tree: { provider: ContextTreeProvider; view: vscode.TreeView<TreeNode> };
    /** The text and tooltip of the active editor's status bar item. */
    statusItem(): { text: string; tooltip: string };
    /** Stands in for the user in the `vscode.` host functions (answers, cancels). */
    hostFunctions: HostFunctions;
    /** The open data viewers (issue 11): their states, and a way to act in their grids. */
    dataViewers: DataViewers;
    /** The Bind to Context quick pick while it is shown (see ContextCommands.shownPick). */
    shownPick(): { labels: string[]; active(): string | undefined; focus(label: string): boolean } | undefined;
    /** The "Restored … variables" notifications shown so far. */
    restoreNotifications(): string[];
    /** Where a document's environment is saved (pyContexts.persistState); undefined without a workspace. */
    stateFile(uri: vscode.Uri): string | undefined;
    /** Open consoles: how many, and the console of a document. */
    consoles(): { count: number; forDocument(uri: vscode.Uri): string | undefined };
    /** The Plots view: its history, and what its page last reported it shows. */
    plots(): {
      ids: string[];
      current: { id: string; mime: string; figure?: string; source: { uri: string; line: number } } | undefined;
      rendered: RenderedState | undefined;
      onRendered: vscode.Event<RenderedState>;
    };
  };
}

let owner: DisposableStore | undefined;
let services: Services | undefined;
let persisted: StatePersistence | undefined;
/** How long deactivation waits for the environments to be saved (VS Code allows about 5 s). */
const SAVE_ON_DEACTIVATE_MS = 4000;

export function activate(context: vscode.ExtensionContext): PyContextsApi {
  const store = new DisposableStore();
  owner = store;
  context.subscriptions.push(store);

  const host = store.add(new Services(context, startPython));
  services = host;
  const output = host.output;

  const inline = store.add(new InlineResults());
  const status = store.add(new StatusBar(host));
  const runner = store.add(new Runner(host, inline, status));
  const commands = new ContextCommands(host, {
    interrupt: (uri, proc) => runner.interrupt(uri, proc),
    clearMarks: (uri) => inline.clear(uri),
  });
  const hostFunctions = store.add(new HostFunctions(host));
  const persistence = store.add(new StatePersistence(context.storageUri?.fsPath, {
    process: (uri) => host.process(uri),
    observe: (l) => host.observe(l),
    get trusted() {
      return host.trusted;
    },
    info: (m) => output.info(m),
  }));
  persisted = persistence;
  const tree = store.add(new ContextTreeProvider(host, persistence));
  const treeView = store.add(vscode.window.createTreeView(VIEW_CONTEXT_POOL, { treeDataProvider: tree, showCollapseAll: true }));
  store.add(vscode.languages.registerCodeLensProvider({ language: 'python' }, new CellCodeLensProvider((l) => store.add(host.onDidGrantTrust(l)))));
  const dataViewers = store.add(new DataViewers({
    extensionUri: context.extensionUri,
    onDidChange: host.onDidChange,
    locate: (processId, contextId) => locate(host.current, processId, contextId),
  }));
  store.add(hostFunctions.registry.register('vscode.dataViewer.open', (arg: unknown) => dataViewers.openFromPython(arg), true));
  // The controller asks the consoles whose process a console's cells run in (its editor's).
  let consoles: Consoles | undefined;
  const notebooks = store.add(registerNotebookController(host, (uri) => consoles?.ownerOf(uri) ?? uri));
  consoles = store.add(new Consoles(host, notebooks.console, CONSOLE_CONTROLLER_ID));
  store.add(runner.observe(consoles));
  const plots = store.add(new PlotsView(host));
  store.add(runner.observe(plots));
  store.add(registerLiveProviders({ processOf: (doc) => host.findProcess(ownerOf(doc)) }));
  const sharing = new SharingCommands(host);

  const reg = (id: string, fn: (...args: never[]) => unknown): void => {
    store.add(vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown));
  };
  reg(Commands.runSelection, () => runner.runSelection());
  reg(Commands.runFile, (uri?: vscode.Uri) => runner.runFile(uri));
  reg(Commands.runCell, (uri?: vscode.Uri, line?: number) => runner.runCell(uri, line));
  reg(Commands.runAbove, (uri?: vscode.Uri, line?: number) => runner.runAbove(uri, line));
  reg(Commands.bindToContext, (target?: Target, contextId?: string) => commands.bindToContext(target, contextId));
  reg(Commands.bindHere, (node?: TreeNode) => commands.bindHere(node));
  reg(Commands.unbind, (target?: Target) => commands.unbind(target));
  reg(Commands.resetEnvironment, (target?: Target) => commands.resetEnvironment(target));
  reg(Commands.interrupt, (target?: Target) => commands.interrupt(target));
  reg(Commands.restartContext, (target?: Target) => commands.restartContext(target));
  reg(Commands.showOutput, () => output.show());
  reg(Commands.openFullOutput, (file?: string) => openFullOutput(output, file));
  reg(Commands.refreshTree, () => tree.refresh());
  reg(Commands.viewData, (node?: TreeNode) => {
    if (node?.kind === 'variable' && node.info.viewable) dataViewers.openVariable(node.proc, node.ctx, node.info.path, node.info.name);
  });
  const consoleSurface = consoles;
  reg(Commands.openConsole, (arg?: unknown) => consoleSurface.open(arg));
  reg(Commands.plotsPrevious, () => plots.command('back'));
  reg(Commands.plotsNext, () => plots.command('forward'));
  reg(Commands.plotsClear, () => plots.command('clear'));
  reg(Commands.plotsSave, (format?: 'png' | 'svg', target?: vscode.Uri) => plots.save(format, target));
  reg(Commands.shareEnvironment, (uri?: vscode.Uri, target?: vscode.Uri) => sharing.share(uri, target));
  reg(Commands.stopSharing, (uri?: vscode.Uri) => sharing.stopSharing(uri));
  reg(Commands.openSettings, () => vscode.commands.executeCommand('workbench.action.openSettings', `${CONFIG_SECTION}.`));

  // Documents open at start-up get their saved environments back at once.
  persistence.restoreOpenDocuments();

  return {
    python: () => host.python(),
    processFor: (uri) => host.findProcess(uri),
    onDidChange: host.onDidChange,
    registerFunction: (name, fn) => {
      const reg = hostFunctions.registry.register(name, fn);
      return new vscode.Disposable(() => reg.dispose());
    },
    shareProcess: async (uriA, uriB) => {
      if (!(uriA instanceof vscode.Uri)) throw new TypeError('uriA must be a vscode.Uri');
      if (!(uriB instanceof vscode.Uri)) throw new TypeError('uriB must be a vscode.Uri');
      if (uriA.toString() === uriB.toString()) throw new TypeError('uriA and uriB must be different documents');
      await host.python();
      return host.share(uriA, uriB);
    },
    _test: {
      marks: (uri) => inline.marksFor(uri),
      outputText: () => output.text(),
      outputSize: () => output.size(),
      fullOutputFiles: () => output.fullOutputFiles(),
      statusBar: () => status.state(),
      engineState: () => host.status.kind,
      tree: { provider: tree, view: treeView },
      statusItem: () => status.contextItemText(),
      hostFunctions,
      dataViewers,
      shownPick: () => commands.shownPick(),
      restoreNotifications: () => [...persistence.notified],
      stateFile: (uri) => persistence.stateFile(uri),
      plots: () => {
        const c = plots.history.current;
        return {
          ids: plots.history.items.map((p) => p.id),
          current: c && { id: c.id, mime: c.mime, ...(c.figure ? { figure: c.figure } : {}), source: { uri: c.source.uri, line: c.source.line } },
          rendered: plots.rendered,
          onRendered: plots.onRendered,
        };
      },
      consoles: () => ({ count: consoleSurface.registry.size, forDocument: (uri) => consoleSurface.registry.forDocument(uri.toString())?.console }),
    },
  };
}

/**
 * Opens a file of a whole output: the one given, the newest one, or one picked from this
 * session's when there are several.
 */
async function openFullOutput(output: OutputChannelSink, file?: string): Promise<void> {
  let path = typeof file === 'string' ? file : undefined;
  const files = output.fullOutputFiles();
  if (!path && files.length === 1) path = files[0]?.path;
  if (!path && files.length > 1) {
    const pick = await vscode.window.showQuickPick(
      [...files].reverse().map((f) => ({ label: f.label, description: f.path, path: f.path })),
      { title: 'Open the full output of a run' },
    );
    path = pick?.path;
  }
  if (!path) {
    if (files.length === 0) void vscode.window.showInformationMessage('Py Contexts: no run has printed more than the output channel shows.');
    return;
  }
  await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path));
}

/** Shuts the engine down cleanly: in-flight calls settle with an error, threads stop. */
export async function deactivate(): Promise<void> {
  // Saved before anything is disposed, so that a reload brings the environments back.
  await persisted?.saveAll(SAVE_ON_DEACTIVATE_MS);
  persisted = undefined;
  const s = services;
  services = undefined;
  owner?.dispose();
  owner = undefined;
  await s?.shutdown();
}
