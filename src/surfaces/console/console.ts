/**
 * The console: VS Code's Interactive Window run by our controller (the notebook surface's
 * `pyContexts.console` controller). A console opened from an editor runs in that editor's
 * process, so both see the same variables; one opened from a context in the Context Pool
 * view runs in a fresh process bound to that context. Runs from editors show up in the
 * document's console as cells when pyContexts.runSelection.target says so (./route.ts).
 */
import * as vscode from 'vscode';
import { ownerOf } from '../../services/surfaceHost';
import { CONFIG_SECTION, EXTENSION_ID } from '../../manifest/ids';
import { documentLabel } from '../../text/labels';
import type { Context, DisplayData, OutputStream, PyProcess, ValueRepr } from '../../engine/types';
import type { CodeBlock, ConsoleCell, ConsoleKernel, RunObserver, RunOutcome, RunSink } from '../contracts';
import { ConsoleRegistry, ConsoleShare, readTarget, RunRoute, type RunTarget } from './route';

/** What the console needs from the extension: a document's process. */
export interface ConsoleHost {
  process(uri: vscode.Uri): Promise<PyProcess>;
  requireTrust(action: string): boolean;
  readonly output: { info(message: string): void };
}

interface Opened {
  notebookUri: vscode.Uri;
  notebookEditor?: vscode.NotebookEditor;
}

/** A trailing value of an editor run as the console's execute_result (text only: the repr). */
function valueBundle(value: ValueRepr | undefined): DisplayData | undefined {
  return value && value.type !== 'NoneType' ? { data: { 'text/plain': value.repr }, metadata: {} } : undefined;
}

/** One editor run on its way into a console: events wait in order until the cell exists. */
class ConsoleRunSink implements RunSink {
  private readonly route: RunRoute;
  private readonly share = new ConsoleShare();
  private cell: Promise<ConsoleCell | undefined> | undefined;
  private readonly pending: ((c: ConsoleCell) => void)[] = [];

  constructor(
    target: RunTarget,
    private readonly open: () => Promise<ConsoleCell | undefined>,
  ) {
    this.route = new RunRoute(target);
    if (this.route.inConsole) this.move();
  }

  output(stream: OutputStream, text: string): void {
    this.route.text(text);
    const shown = this.share.take(text);
    if (shown) this.push((c) => c.output(stream, shown));
  }

  display(data: DisplayData): void {
    this.route.display(data);
    this.push((c) => c.display(data));
  }

  end(outcome: RunOutcome): void {
    // "auto": a run that printed more than a few lines (and did not flood) moves now.
    if (!this.route.inConsole && this.route.ended()) this.move();
    // A run that ended without anything moving it stays inline only ("auto").
    if (!this.route.inConsole) return;
    const ended = outcome.ok ? { ok: true as const, value: valueBundle(outcome.value) } : outcome;
    void this.cell?.then((c) => c?.end(ended)).catch(() => undefined);
  }

  private push(event: (c: ConsoleCell) => void): void {
    if (!this.cell) {
      this.pending.push(event);
      if (this.route.inConsole) this.move();
      return;
    }
    void this.cell.then((c) => c && event(c));
  }

  /**
   * Opens the cell, then replays what the run printed before it moved (at most the console's
   * share of text, see ConsoleShare, so replaying it at once is cheap).
   */
  private move(): void {
    this.cell = this.open().then(
      (c) => {
        if (c) for (const e of this.pending.splice(0)) e(c);
        return c;
      },
      () => undefined,
    );
  }
}

export class Consoles implements RunObserver, vscode.Disposable {
  readonly registry = new ConsoleRegistry();
  private readonly subs: vscode.Disposable[] = [];
  /** Consoles being opened, per document, so two quick runs share one. */
  private readonly opening = new Map<string, Promise<vscode.NotebookDocument | undefined>>();
  /**
   * `runSelection.target` per workspace folder ('' outside any), read on first use and again
   * after it changes: reading it on every run showed in the profile of 100 documents
   * running at once (issue 17).
   */
  private readonly targets = new Map<string, RunTarget>();

  constructor(
    private readonly host: ConsoleHost,
    private readonly kernel: ConsoleKernel,
    private readonly controllerId: string,
  ) {
    this.subs.push(
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.registry.remove(nb.uri.toString())),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${CONFIG_SECTION}.runSelection.target`)) this.targets.clear();
      }),
    );
  }

  private targetFor(uri: vscode.Uri): RunTarget {
    const key = vscode.workspace.getWorkspaceFolder(uri)?.uri.toString() ?? '';
    let target = this.targets.get(key);
    if (target === undefined) {
      target = readTarget(vscode.workspace.getConfiguration(CONFIG_SECTION, uri).get('runSelection.target'));
      this.targets.set(key, target);
    }
    return target;
  }

  /** The document whose process runs a console's cells (for the notebook controller). */
  ownerOf(consoleUri: vscode.Uri): vscode.Uri {
    const owner = this.registry.ownerOf(consoleUri.toString());
    return owner === consoleUri.toString() ? consoleUri : vscode.Uri.parse(owner);
  }

  /**
   * Open Console: from a context node of the tree, a fresh process on that context; otherwise
   * the active editor's console (opened or revealed). Returns the console's notebook.
   */
  async open(arg?: unknown): Promise<vscode.NotebookDocument | undefined> {
    if (!this.host.requireTrust('Open Console')) return undefined;
    const ctx = contextOf(arg);
    if (ctx) return this.openForContext(ctx);
    const uri = arg instanceof vscode.Uri ? arg : undefined;
    const doc = uri
      ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())
      : vscode.window.activeTextEditor?.document;
    if (!doc) return this.openForContext(undefined);
    return this.openFor(doc, false);
  }

  /** The document's console, opened beside it if it has none. */
  openFor(doc: vscode.TextDocument, preserveFocus: boolean): Promise<vscode.NotebookDocument | undefined> {
    const owner = ownerOf(doc);
    const key = doc.uri.toString();
    const existing = this.registry.forDocument(key);
    if (existing) {
      const nb = vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === existing.console);
      if (nb) {
        if (!preserveFocus) void this.reveal(nb.uri);
        return Promise.resolve(nb);
      }
    }
    let p = this.opening.get(key);
    if (!p) {
      p = this.create(`Console: ${documentLabel(key)}`, preserveFocus, (console) => ({ console, owner: owner.toString(), document: key })).finally(() =>
        this.opening.delete(key),
      );
      this.opening.set(key, p);
    }
    return p;
  }

  private async openForContext(ctx: Context | undefined): Promise<vscode.NotebookDocument | undefined> {
    const title = ctx ? `Console: ${ctx.id}` : 'Console';
    const nb = await this.create(title, false, (console) => ({ console, owner: console }));
    if (nb && ctx) {
      // Its own process, in that context, before the user types anything.
      const proc = await this.host.process(nb.uri).catch(() => undefined);
      proc?.bind(ctx);
    }
    return nb;
  }

  private async create(
    title: string,
    preserveFocus: boolean,
    entry: (console: string) => { console: string; owner: string; document?: string },
  ): Promise<vscode.NotebookDocument | undefined> {
    const opened = await vscode.commands.executeCommand<Opened | undefined>(
      'interactive.open',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      undefined,
      `${EXTENSION_ID}/${this.controllerId}`,
      title,
    );
    if (!opened?.notebookUri) return undefined;
    const key = opened.notebookUri.toString();
    this.registry.add(entry(key));
    // The controller id given to interactive.open is only a preselection; until a kernel is
    // really selected, executions of cells added from here never reach the window (the
    // Jupyter extension selects it the same way).
    if (opened.notebookEditor) await this.selectKernel(opened.notebookEditor);
    return notebookOpened(key);
  }

  /**
   * Selects our controller for a new console. The command falls back to a kernel picker when
   * it cannot match the id; a picker nobody answers must not hold the console, so it is
   * closed after a while and the console goes on with the preselection.
   */
  private async selectKernel(notebookEditor: vscode.NotebookEditor): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const selected = Promise.resolve(vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor, id: this.controllerId, extension: EXTENSION_ID })).then(
      () => true,
      () => true,
    );
    const done = await Promise.race([selected, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), SELECT_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (!done) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  }

  private async reveal(uri: vscode.Uri): Promise<void> {
    await vscode.commands.executeCommand('interactive.open', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, uri, `${EXTENSION_ID}/${this.controllerId}`);
  }

  /** RunObserver: a run from an editor, shown in its console when the setting says so. */
  begin(doc: vscode.TextDocument, block: CodeBlock): RunSink | undefined {
    const target = this.targetFor(doc.uri);
    if (target === 'inline') return undefined;
    return new ConsoleRunSink(target, async () => {
      try {
        const nb = await this.openFor(doc, true);
        if (!nb) throw new Error('the Interactive Window did not open');
        // Jupyter's interactive window keeps the same fields, so the cell says where it came from.
        return await this.kernel.append(nb, block.code, { interactive: { file: doc.uri.toString(), line: block.firstLine - 1 } });
      } catch (e) {
        // The run itself goes on inline; say why the console does not show it.
        this.host.output.info(`the console of ${documentLabel(doc.uri.toString())} could not show a run: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
    });
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}

/** How long a new console's notebook document may take to reach the extension host. */
const OPEN_TIMEOUT_MS = 10_000;
/** How long selecting our kernel in a new console may take before its picker is closed. */
const SELECT_TIMEOUT_MS = 8_000;

/** The notebook document of a console just opened: the command can resolve before it arrives. */
function notebookOpened(key: string): Promise<vscode.NotebookDocument | undefined> {
  const find = (): vscode.NotebookDocument | undefined => vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === key);
  const now = find();
  if (now) return Promise.resolve(now);
  return new Promise((resolve) => {
    const done = (nb: vscode.NotebookDocument | undefined): void => {
      clearTimeout(timer);
      sub.dispose();
      resolve(nb);
    };
    const sub = vscode.workspace.onDidOpenNotebookDocument((nb) => {
      if (nb.uri.toString() === key) done(nb);
    });
    const timer = setTimeout(() => done(find()), OPEN_TIMEOUT_MS);
  });
}

function contextOf(arg: unknown): Context | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const node = arg as { kind?: unknown; ctx?: Context };
  return node.kind === 'context' || node.kind === 'document' ? node.ctx : undefined;
}
