/**
 * Commands that act on processes and contexts: bind, unbind, reset, interrupt, restart.
 * Each accepts what its menus pass (a tree node, a document URI) or nothing, meaning the
 * active editor; `bindToContext` also accepts a context id, which skips the quick pick.
 */
import * as vscode from 'vscode';
import { readSettings } from '../../manifest/config';
import { ownerOf, type SurfaceHost } from '../../services/surfaceHost';
import { documentLabel } from '../../text/labels';
import type { Context, Python, PyProcess } from '../../engine/types';
import { bindItems, type BindChoice, type BindItem, type PoolState } from './bindItems';

/**
 * A Context Pool tree node as the tree's menus pass it (the tree's TreeNode): what the
 * commands read of it.
 */
export type NodeTarget =
  | { kind: 'context'; ctx: Context }
  | { kind: 'document' | 'variable'; proc: PyProcess; ctx: Context }
  | { kind: 'message' | 'pool' | 'sharedState' };

export type Target = vscode.Uri | NodeTarget | string | undefined;

/** What the commands need of the run commands: a document's runs and inline results. */
export interface DocumentRuns {
  /** Interrupts a document's own runs (Runner.interrupt); false when it has none. */
  interrupt(uri: vscode.Uri, proc: PyProcess | undefined): boolean;
  /** Clears a document's inline results (after its environment was reset). */
  clearMarks(uri: vscode.Uri): void;
}

function isNode(t: unknown): t is NodeTarget {
  return typeof t === 'object' && t !== null && typeof (t as { kind?: unknown }).kind === 'string' && !(t instanceof vscode.Uri);
}

/**
 * The document a command is about. A tree node names a process; `documentsOf` gives its
 * documents (a shared process has several: the first stands for them).
 */
export function targetUri(target: Target, documentsOf?: (proc: PyProcess) => vscode.Uri[]): vscode.Uri | undefined {
  if (target instanceof vscode.Uri) return target;
  if (isNode(target) && (target.kind === 'document' || target.kind === 'variable')) {
    const first = documentsOf?.(target.proc)[0];
    if (first) return first;
    try {
      return vscode.Uri.parse(target.proc.id, true);
    } catch {
      return undefined;
    }
  }
  const doc = vscode.window.activeTextEditor?.document;
  return doc ? ownerOf(doc) : vscode.window.activeNotebookEditor?.notebook.uri;
}

export class ContextCommands {
  constructor(
    private readonly host: SurfaceHost,
    private readonly runs: DocumentRuns,
  ) {}

  private async contextById(id: string): Promise<Context> {
    const m = /^([^:]+):(\d+)$/.exec(id);
    if (!m) throw new Error(`not a context id: ${id} (expected pool:index, e.g. default:1)`);
    const pool = m[1] ?? 'default';
    const python = await this.host.python();
    if (!python.pools().includes(pool) || !python.poolStarted(pool)) {
      const spec = readSettings().pools[pool];
      if (spec === undefined) throw new Error(`no pool named ${pool} (see the pyContexts.pools setting)`);
      await python.startPool(pool, spec.size, { mode: spec.mode });
    }
    const ctx = python.contexts(pool)[Number(m[2]) - 1];
    if (!ctx) throw new Error(`pool ${pool} has no context ${m[2]}`);
    return ctx;
  }

  private poolStates(python: Python | undefined): PoolState[] {
    const configured = readSettings().pools;
    const names = [...new Set([...(python?.pools() ?? []), ...Object.keys(configured)])];
    return names.map((name) => {
      const started = python?.poolStarted(name) ?? false;
      const contexts = started && python ? python.contexts(name).map((c) => ({ id: c.id, index: c.index, stats: c.stats() })) : [];
      return { name, size: configured[name]?.size ?? contexts.length, started, contexts };
    });
  }

  private docsPerContext(python: Python | undefined): Map<string, number> {
    const counts = new Map<string, number>();
    for (const p of python?.processes() ?? []) {
      for (const c of p.contextsUsed) counts.set(c.id, (counts.get(c.id) ?? 0) + 1);
    }
    return counts;
  }

  private async pickContext(title: string, current: string | undefined, allowAuto: boolean): Promise<BindChoice | undefined> {
    const python = this.host.current;
    const rows = bindItems(this.poolStates(python), current, this.docsPerContext(python)).filter(
      (r) => allowAuto || r.choice?.kind !== 'auto',
    );
    type Item = vscode.QuickPickItem & { row: BindItem };
    const items: Item[] = rows.map((row) => ({
      row,
      label: row.label,
      ...(row.separator ? { kind: vscode.QuickPickItemKind.Separator } : {}),
      ...(row.description !== undefined ? { description: row.description } : {}),
    }));
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = title;
    qp.placeholder = 'Choose a context';
    qp.items = items;
    this.openPick = undefined;
    this.pickActive = undefined;
    // The workbench reports the focused row once the pick is really on screen (updates to it
    // travel to the workbench in batches); only from then on can a test steer it.
    qp.onDidChangeActive((active) => {
      this.openPick = qp;
      this.pickActive = active[0]?.label;
    });
    try {
      const pick = await new Promise<Item | undefined>((resolve) => {
        qp.onDidAccept(() => {
          resolve(qp.selectedItems[0] ?? qp.activeItems[0]);
          qp.hide();
        });
        qp.onDidHide(() => resolve(undefined));
        qp.show();
      });
      return pick?.row.choice;
    } finally {
      this.openPick = undefined;
      qp.dispose();
    }
  }

  private openPick: vscode.QuickPick<vscode.QuickPickItem> | undefined;
  private pickActive: string | undefined;

  /**
   * For the integration tests: the labels of the context quick pick while it is shown, and
   * a way to move its focus to a label, so a test waits on the pick instead of on time.
   */
  shownPick(): { labels: string[]; active(): string | undefined; focus(label: string): boolean } | undefined {
    const qp = this.openPick;
    if (!qp || qp.items.length === 0) return undefined;
    return {
      labels: qp.items.map((i) => i.label),
      active: () => this.pickActive,
      focus: (label) => {
        const item = qp.items.find((i) => i.label === label);
        if (item) qp.activeItems = [item];
        return item !== undefined;
      },
    };
  }

  /** Binds a document to a context (`contextId` 'auto' unbinds); returns the bound context id. */
  async bindToContext(target?: Target, contextId?: string): Promise<string | undefined> {
    const uri = targetUri(target, (p) => this.host.documentsOf(p));
    if (!uri) {
      void vscode.window.showInformationMessage('Open a Python file or notebook to bind it to a context.');
      return undefined;
    }
    if (!this.host.requireTrust('Bind to Context')) return undefined;
    let proc: PyProcess;
    try {
      proc = await this.host.process(uri);
    } catch {
      return undefined;
    }
    let choice: BindChoice | undefined;
    if (typeof contextId === 'string') {
      choice = contextId === 'auto' ? { kind: 'auto' } : { kind: 'context', pool: '', index: 0, id: contextId };
    } else {
      choice = await this.pickContext(`Bind ${documentLabel(uri.toString())} to a context`, proc.boundContext?.id, true);
    }
    if (!choice) return proc.boundContext?.id;
    if (choice.kind === 'auto') {
      proc.unbind();
      vscode.window.setStatusBarMessage(`${documentLabel(uri.toString())}: context chosen automatically`, 4000);
      return undefined;
    }
    try {
      const ctx = await this.contextById(choice.id);
      const hadOther = proc.contextsUsed.some((c) => c !== ctx);
      proc.bind(ctx);
      vscode.window.setStatusBarMessage(
        `${documentLabel(uri.toString())} runs in ${ctx.id}${hadOther ? ' (a separate environment; the other one is kept until reset)' : ''}`,
        5000,
      );
      return ctx.id;
    } catch (e) {
      void vscode.window.showErrorMessage(`Py Contexts: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  /** "Bind Here" on a context node: binds the active editor's document to it. */
  bindHere(node?: NodeTarget): Promise<string | undefined> {
    if (node?.kind !== 'context') return this.bindToContext(undefined);
    return this.bindToContext(undefined, node.ctx.id);
  }

  unbind(target?: Target): void {
    const uri = targetUri(target, (p) => this.host.documentsOf(p));
    const proc = uri ? this.host.findProcess(uri) : undefined;
    proc?.unbind();
  }

  async resetEnvironment(target?: Target): Promise<void> {
    const uri = targetUri(target, (p) => this.host.documentsOf(p));
    const proc = uri ? this.host.findProcess(uri) : undefined;
    if (!uri || !proc) {
      vscode.window.setStatusBarMessage('Py Contexts: this document has no environment yet', 4000);
      return;
    }
    const ctx = isNode(target) && target.kind === 'document' ? target.ctx : undefined;
    await proc.reset(ctx);
    this.runs.clearMarks(uri);
    this.host.output.info(`${documentLabel(uri.toString())}: environment reset${ctx ? ` in ${ctx.id}` : ''}`);
  }

  private contextOf(target: Target): Context | undefined {
    if (isNode(target) && (target.kind === 'context' || target.kind === 'document' || target.kind === 'variable')) return target.ctx;
    if (typeof target === 'string') {
      const python = this.host.current;
      return python?.pools().flatMap((p) => (python.poolStarted(p) ? python.contexts(p) : [])).find((c) => c.id === target);
    }
    const uri = targetUri(target, (p) => this.host.documentsOf(p));
    const proc = uri ? this.host.findProcess(uri) : undefined;
    return proc?.currentContext ?? proc?.boundContext;
  }

  /**
   * A context (tree node or id): KeyboardInterrupt into whatever runs there. A document (URI,
   * document node, or the active editor): only that document's code is interrupted, never
   * another document's that shares the context.
   */
  interrupt(target?: Target): void {
    const byContext = typeof target === 'string' || (isNode(target) && target.kind === 'context');
    if (!byContext) {
      const uri = targetUri(target, (p) => this.host.documentsOf(p));
      const proc = uri ? this.host.findProcess(uri) : undefined;
      if (uri && proc) {
        const ran = this.runs.interrupt(uri, proc);
        this.host.output.info(
          `interrupt sent to ${documentLabel(uri.toString())}${ran ? '' : ' (nothing of it was running from an editor)'}; code blocked in C sees it when it returns to Python, and a run still pending a second later is abandoned`,
        );
        return;
      }
    }
    let ctx = this.contextOf(target);
    if (!ctx || !ctx.stats().busy) {
      // Nothing to interrupt where the target points; interrupt the only busy context, if any.
      const python = this.host.current;
      const busy = python?.pools().flatMap((p) => (python.poolStarted(p) ? python.contexts(p) : [])).filter((c) => c.stats().busy) ?? [];
      if (!ctx || busy.length === 1) ctx = busy.length === 1 ? busy[0] : ctx;
    }
    if (!ctx) {
      vscode.window.setStatusBarMessage('Py Contexts: nothing is running', 3000);
      return;
    }
    ctx.interrupt();
    this.host.output.info(`interrupt sent to ${ctx.id} (KeyboardInterrupt; code blocked in C sees it when it returns to Python)`);
  }

  async restartContext(target?: Target): Promise<void> {
    let ctx = typeof target === 'string' ? await this.contextById(target) : this.contextOf(target);
    if (!ctx) {
      const choice = await this.pickContext('Restart which context?', undefined, false);
      if (choice?.kind !== 'context') return;
      ctx = await this.contextById(choice.id);
    }
    const python = await this.host.python();
    const users = python.processes().filter((p) => p.contextsUsed.includes(ctx));
    await python.restartContext(ctx);
    this.host.output.info(
      `${ctx.id} restarted; ${users.length} environment(s) dropped${users.length ? `: ${users.map((p) => documentLabel(p.id)).join(', ')}` : ''}`,
    );
  }
}
