/**
 * The Context Pool tree: pools → contexts → documents using each context → variables.
 * A thin adapter; descriptions and menu flags come from model.ts.
 *
 * Nothing here starts Python until a pool is expanded. Variables are fetched lazily and
 * cached per (process, context, path) until the context has run something else, so that
 * the frequent refreshes while a context is busy never queue calls behind user code.
 */
import * as vscode from 'vscode';
import { readSettings } from '../../manifest/config';
import type { SurfaceHost } from '../../services/surfaceHost';
import { Commands } from '../../manifest/ids';
import { documentLabel } from '../../text/labels';
import type { Context, PyProcess, VariableInfo } from '../../engine/types';
import { describeSharedState, sharedStateEntries } from './sharedState';
import { describeContext } from '../../text/contextState';
import { contextFlags, describePool, documentFlags, documentTooltip, poolFlags, variableDescription, variableFlags, variableIcon } from './model';

export type TreeNode =
  | { kind: 'message'; id: string; label: string; description?: string; tooltip?: string; icon: string; command?: vscode.Command }
  | { kind: 'pool'; name: string }
  | { kind: 'sharedState' }
  | { kind: 'context'; ctx: Context }
  | { kind: 'document'; proc: PyProcess; ctx: Context }
  | { kind: 'variable'; proc: PyProcess; ctx: Context; info: VariableInfo; parentId: string; parent: TreeNode };

/** Lines the tree shows at its top, such as "Restored 12 variables in analysis.py" (src/surfaces/persistence). */
export interface TreeNotices {
  readonly reports: readonly { uri: vscode.Uri; label: string; description: string; tooltip: string }[];
  readonly onDidChange: vscode.Event<void>;
}

const VARIABLE_LIMITS = { maxItems: 100, reprChars: 80, reprTimeoutMs: 200 };

interface CachedVariables {
  /** The context's call count up to which these are current (our own fetch included). */
  calls: number;
  items: VariableInfo[];
}

export class ContextTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];
  private readonly cache = new Map<string, CachedVariables>();
  /** Our own variable fetches in flight per context: being busy with those is no reason to wait. */
  private readonly fetching = new Map<string, number>();
  private pending: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  /** The engine whose shared state we listen to (a new engine needs a new subscription). */
  private stateOf: { python: object; sub: { dispose(): void } } | undefined;

  constructor(
    private readonly host: SurfaceHost,
    private readonly notices?: TreeNotices,
  ) {
    if (notices) this.subs.push(notices.onDidChange(() => this.schedule()));
    this.subs.push(
      host.onDidChange(() => this.schedule()),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.schedule()),
      host.onDidChangeSharing(() => this.schedule()),
    );
  }

  /** Coalesces bursts of engine events (every call start and end) into one refresh. */
  schedule(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.refresh();
    }, 200);
  }

  refresh(): void {
    const python = this.host.current;
    if (python && this.stateOf?.python !== python) {
      this.stateOf?.sub.dispose();
      this.stateOf = { python, sub: python.state.onDidChange(() => this.schedule()) };
    }
    for (const [key] of this.cache) {
      // Drop cached variables of processes that have closed.
      const procId = key.split('\n')[0];
      if (!python?.processes().some((p) => p.id === procId)) this.cache.delete(key);
    }
    this.changed.fire(undefined);
    // While any context is busy its description ("busy 3 s") must keep counting.
    const busy = python?.pools().some((p) => python.poolStarted(p) && python.contexts(p).some((c) => c.stats().busy)) ?? false;
    if (busy && !this.ticker) this.ticker = setInterval(() => this.schedule(), 1000);
    if (!busy && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'message': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        if (node.description !== undefined) item.description = node.description;
        if (node.tooltip !== undefined) item.tooltip = node.tooltip;
        if (node.command) item.command = node.command;
        item.contextValue = 'message;';
        return item;
      }
      case 'pool': {
        const python = this.host.current;
        const started = python?.poolStarted(node.name) ?? false;
        const spec = readSettings().pools[node.name];
        const size = started && python ? python.numContexts(node.name) : (spec?.size ?? 0);
        const mode = started && python ? python.poolMode(node.name) : (spec?.mode ?? 'worker');
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
        // A pool that has not started has its own id, so that VS Code restoring the expansion
        // state of an earlier session can never start Python by itself at start-up.
        item.id = started ? `pool/${node.name}` : `pool/${node.name}/not-started`;
        item.description = describePool(size, mode, python?.interpreter.freeThreaded ?? false, started);
        item.tooltip = started ? `Pool ${node.name}` : `Pool ${node.name}: starts when expanded or when code first runs in it`;
        item.iconPath = {
          light: vscode.Uri.joinPath(this.host.extensionUri, 'media', 'pool-light.svg'),
          dark: vscode.Uri.joinPath(this.host.extensionUri, 'media', 'pool-dark.svg'),
        };
        item.contextValue = poolFlags(started);
        if (started) item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
        return item;
      }
      case 'sharedState': {
        const count = this.host.current?.state.snapshot(1).length ?? 0;
        const item = new vscode.TreeItem('Shared state', count > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = 'sharedState';
        item.description = describeSharedState(count);
        item.tooltip = 'Keys of `from py_contexts import state`, shared by every context (py.state in JS)';
        item.iconPath = new vscode.ThemeIcon('database');
        item.contextValue = 'sharedState;';
        return item;
      }
      case 'context': {
        const stats = node.ctx.stats();
        const hasDocs = this.documentsOf(node.ctx).length > 0;
        const item = new vscode.TreeItem(
          node.ctx.id,
          hasDocs ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
        );
        item.id = `ctx/${node.ctx.id}`;
        item.description = describeContext(stats);
        item.tooltip = `${node.ctx.id}: ${describeContext(stats)}\n${stats.environments} environment(s), ${stats.calls} call(s) so far`;
        item.iconPath = new vscode.ThemeIcon(stats.busy ? 'sync~spin' : 'circle-outline');
        item.contextValue = contextFlags(stats, { activeCanBind: vscode.window.activeTextEditor?.document.languageId === 'python' });
        return item;
      }
      case 'document': {
        // A process shared by several documents (Share Environment with…) is labelled with
        // all their names; they are listed first among its children.
        const docs = this.host.documentsOf(node.proc);
        const uri = docs[0];
        const shared = docs.length > 1;
        const bound = node.proc.boundContext === node.ctx;
        const label = docs.length > 0 ? docs.map((d) => documentLabel(d.toString())).join(' + ') : documentLabel(node.proc.id);
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `doc/${node.ctx.id}/${node.proc.id}`;
        const where = uri && uri.scheme === 'file' && !shared ? vscode.workspace.asRelativePath(uri, false) : '';
        item.description = [shared ? `shared by ${docs.length} documents` : '', bound ? 'bound' : '', where].filter(Boolean).join(' · ');
        item.tooltip = documentTooltip(uri?.scheme === 'file' ? uri.fsPath : node.proc.id, node.proc.cwd, bound ? node.ctx.id : undefined);
        if (uri) {
          item.resourceUri = uri;
          item.iconPath = vscode.ThemeIcon.File;
          item.command = { title: 'Open', command: 'vscode.open', arguments: [uri] };
        }
        item.contextValue = documentFlags({ bound: node.proc.boundContext !== undefined, hasEnvironment: true });
        return item;
      }
      case 'variable': {
        const v = node.info;
        const item = new vscode.TreeItem(v.name, v.expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = v.path.length > 0 ? `var/${node.ctx.id}/${node.proc.id}/${JSON.stringify(v.path)}` : `${node.parentId}/more`;
        item.description = variableDescription(v);
        item.tooltip = v.type ? `${v.name}: ${v.type}${v.length !== undefined ? ` (len ${v.length})` : ''}\n${v.repr}` : v.name;
        item.iconPath = new vscode.ThemeIcon(variableIcon(v));
        item.contextValue = variableFlags(v);
        return item;
      }
    }
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) return this.roots();
    switch (node.kind) {
      case 'pool':
        return this.contextsOf(node.name);
      case 'sharedState':
        return sharedStateEntries(this.host.current?.state.snapshot(80) ?? []).map((e) => ({
          kind: 'message', id: `sharedState/${e.label}`, label: e.label, description: e.description,
          tooltip: `${e.label} = ${e.description}`, icon: e.more ? 'ellipsis' : 'symbol-field',
        }));
      case 'context':
        return this.documentsOf(node.ctx).map((proc) => ({ kind: 'document', proc, ctx: node.ctx }));
      case 'document':
        return [...this.sharers(node.proc, node.ctx), ...(await this.variables(node, node.proc, node.ctx, [], `doc/${node.ctx.id}/${node.proc.id}`))];
      case 'variable':
        return this.variables(node, node.proc, node.ctx, node.info.path, `var/${node.ctx.id}/${node.proc.id}/${JSON.stringify(node.info.path)}`);
      default:
        return [];
    }
  }

  private roots(): TreeNode[] {
    if (!this.host.trusted) {
      return [
        {
          kind: 'message',
          id: 'msg/untrusted',
          label: 'Restricted Mode',
          description: 'Python does not run in untrusted workspaces',
          tooltip: 'Py Contexts runs no Python code until you trust this workspace. Click to manage workspace trust.',
          icon: 'shield',
          command: { title: 'Manage Workspace Trust', command: 'workbench.trust.manage' },
        },
      ];
    }
    const status = this.host.status;
    const python = this.host.current;
    // Started pools, and configured ones that are not (yet): an own-GIL pool this Python refused
    // stays listed, and expanding it says why.
    const names = [...new Set([...(python?.pools() ?? []), ...Object.keys(readSettings().pools)])];
    const pools: TreeNode[] = names.map((name) => ({ kind: 'pool', name }));
    if (status.kind === 'failed') {
      return [
        {
          kind: 'message',
          id: 'msg/failed',
          label: 'Python could not start',
          description: status.message,
          tooltip: `${status.message}\n\nFix: ${status.fix}\n\nClick to open the setting.`,
          icon: 'error',
          command: { title: 'Open Settings', command: Commands.openSettings },
        },
        ...pools,
      ];
    }
    if (status.kind === 'starting') {
      return [{ kind: 'message', id: 'msg/starting', label: 'Starting Python…', icon: 'loading~spin' }, ...pools];
    }
    const d = this.host.interpreter;
    if (python && d) {
      // The interpreter in use heads the tree: which Python, where, and whether it has a GIL.
      const restored: TreeNode[] = (this.notices?.reports ?? []).map((r) => ({
        kind: 'message', id: `msg/restored/${r.uri.toString()}`, label: r.label, description: r.description, tooltip: r.tooltip, icon: 'history',
        command: { title: 'Open', command: 'vscode.open', arguments: [r.uri] },
      }));
      return [{ kind: 'message', id: 'msg/interpreter', label: d.label, description: d.description, tooltip: d.tooltip, icon: 'server-environment' }, ...restored,
        ...pools, { kind: 'sharedState' }];
    }
    return pools;
  }

  private async contextsOf(pool: string): Promise<TreeNode[]> {
    let python;
    try {
      python = await this.host.python();
      const spec = readSettings().pools[pool];
      if (!python.poolStarted(pool)) await python.startPool(pool, spec?.size ?? 1, { mode: spec?.mode ?? 'worker' });
    } catch (e) {
      return [{ kind: 'message', id: `msg/pool/${pool}`, label: 'Not available', description: e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e), icon: 'error' }];
    }
    return python.contexts(pool).map((ctx) => ({ kind: 'context', ctx }));
  }

  /** Open processes with an environment in `ctx`. */
  private documentsOf(ctx: Context): PyProcess[] {
    const python = this.host.current;
    if (!python) return [];
    return python.processes().filter((p) => !p.closed && p.contextsUsed.includes(ctx));
  }

  /** The documents of a shared process, as the first children of its node. */
  private sharers(proc: PyProcess, ctx: Context): TreeNode[] {
    const docs = this.host.documentsOf(proc);
    if (docs.length < 2) return [];
    return docs.map((d) => ({
      kind: 'message', id: `doc/${ctx.id}/${proc.id}/member/${d.toString()}`, label: documentLabel(d.toString()),
      description: 'shares this environment', tooltip: d.scheme === 'file' ? d.fsPath : d.toString(), icon: 'file',
      command: { title: 'Open', command: 'vscode.open', arguments: [d] },
    }));
  }

  /** Parents, so that TreeView.reveal() can expand down to a node. */
  getParent(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'context':
        return { kind: 'pool', name: node.ctx.pool };
      case 'document':
        return { kind: 'context', ctx: node.ctx };
      case 'variable':
        return node.parent;
      default:
        return undefined;
    }
  }

  private async variables(parent: TreeNode, proc: PyProcess, ctx: Context, path: readonly string[], parentId: string): Promise<TreeNode[]> {
    const message = (label: string, icon = 'info'): TreeNode[] => [{ kind: 'message', id: `${parentId}/msg`, label, icon }];
    if (proc.closed) return [];
    const key = `${proc.id}\n${ctx.id}\n${JSON.stringify(path)}`;
    const cached = this.cache.get(key);
    const before = ctx.stats();
    const busyWithUserCode = before.busy && !this.fetching.get(ctx.id);
    let items: VariableInfo[];
    if (cached && (cached.calls >= before.calls || busyWithUserCode)) {
      // Up to date, or the context runs user code: never queue a fetch behind it.
      items = cached.items;
    } else if (busyWithUserCode) {
      return message('Busy: variables appear when the context is idle', 'watch');
    } else {
      this.fetching.set(ctx.id, (this.fetching.get(ctx.id) ?? 0) + 1);
      try {
        items = await proc.variables(path, VARIABLE_LIMITS, ctx);
      } catch (e) {
        return message(`Variables unavailable: ${e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e)}`, 'warning');
      } finally {
        this.fetching.set(ctx.id, (this.fetching.get(ctx.id) ?? 1) - 1);
      }
      // Our own fetch counts as one call; anything beyond it means the values may have changed.
      this.cache.set(key, { calls: Math.max(ctx.stats().calls, before.calls + 1), items });
    }
    if (items.length === 0 && path.length === 0) return message('No variables yet');
    return items.map((info) => ({ kind: 'variable', proc, ctx, info, parentId, parent }));
  }

  /** True while the 1 s refresh ticker runs (only while a context is busy), for the tests. */
  get ticking(): boolean {
    return this.ticker !== undefined;
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    if (this.ticker) clearInterval(this.ticker);
    this.stateOf?.sub.dispose();
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }
}
