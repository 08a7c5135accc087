/**
 * Two status bar items. One shows the active Python editor's context and state (click: bind
 * to another context). The other appears when a run has taken longer than half a second,
 * with a spinner and the time so far; clicking it interrupts that run's context.
 * This class also keeps the `when`-clause keys in step with the active editor.
 */
import * as vscode from 'vscode';
import { ownerOf, type SurfaceHost } from '../../services/surfaceHost';
import { Commands, ContextKeys } from '../../manifest/ids';
import { documentLabel } from '../../text/labels';
import type { PyProcess } from '../../engine/types';
import { formatDuration } from '../../text/contextState';
import type { RunTracker } from '../contracts';
import { statusText } from './statusText';

/** Runs shorter than this finish without any progress UI flickering. */
const PROGRESS_DELAY_MS = 500;

interface ActiveRun {
  uri: vscode.Uri;
  proc: PyProcess;
  started: number;
}

export class StatusBar implements RunTracker, vscode.Disposable {
  private readonly contextItem = vscode.window.createStatusBarItem('pyContexts.context', vscode.StatusBarAlignment.Right, 100);
  private readonly runItem = vscode.window.createStatusBarItem('pyContexts.run', vscode.StatusBarAlignment.Left, 10);
  private readonly runs = new Set<ActiveRun>();
  private readonly subs: vscode.Disposable[] = [];
  private ticker: NodeJS.Timeout | undefined;
  private keys = new Map<string, boolean>();
  private pending: NodeJS.Timeout | undefined;
  /** What the two items show (undefined: hidden), for the integration tests. */
  private shown: { context: string | undefined; run: string | undefined } = { context: undefined, run: undefined };

  constructor(private readonly host: SurfaceHost) {
    this.contextItem.name = 'Py Contexts: context';
    this.contextItem.command = Commands.bindToContext;
    this.runItem.name = 'Py Contexts: running';
    this.subs.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      host.onDidChange(() => this.schedule()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()),
    );
    this.update();
  }

  /** For the integration tests: what the context item shows now. */
  contextItemText(): { text: string; tooltip: string } {
    const t = this.contextItem.tooltip;
    return { text: this.contextItem.text, tooltip: typeof t === 'string' ? t : (t?.value ?? '') };
  }

  begin(uri: vscode.Uri, proc: PyProcess): { end(): void } {
    const run: ActiveRun = { uri, proc, started: Date.now() };
    this.runs.add(run);
    const timer = setTimeout(() => this.update(), PROGRESS_DELAY_MS);
    return {
      end: () => {
        clearTimeout(timer);
        this.runs.delete(run);
        // One update per burst: a hundred runs ending together made a hundred.
        this.schedule();
      },
    };
  }

  /** Engine events come with every call start and end; one update per burst is enough. */
  private schedule(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.update();
    }, 50);
  }

  private setKey(key: string, value: boolean): void {
    if (this.keys.get(key) === value) return;
    this.keys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  update(): void {
    const python = this.host.current;
    const editor = vscode.window.activeTextEditor;
    const isPython = editor?.document.languageId === 'python';
    const proc = editor ? this.host.findProcess(ownerOf(editor.document)) : undefined;
    const ctx = proc?.boundContext ?? proc?.currentContext;
    const contexts = python?.pools().flatMap((p) => (python.poolStarted(p) ? python.contexts(p) : [])) ?? [];
    const anyBusy = contexts.some((c) => c.stats().busy);

    this.setKey(ContextKeys.engineStarted, python !== undefined);
    this.setKey(ContextKeys.activeHasProcess, proc !== undefined);
    this.setKey(ContextKeys.activeIsBound, proc?.boundContext !== undefined);
    this.setKey(ContextKeys.anyBusy, anyBusy);

    if (isPython) {
      const s = statusText({
        boundId: proc?.boundContext?.id,
        currentId: ctx?.id,
        stats: ctx?.stats(),
        failed: this.host.status.kind === 'failed',
        trusted: this.host.trusted,
        interpreter: this.host.interpreter?.tooltip,
      });
      this.contextItem.text = s.text;
      this.contextItem.tooltip = s.tooltip;
      this.contextItem.show();
      this.shown.context = s.text;
    } else {
      this.contextItem.hide();
      this.shown.context = undefined;
    }

    const now = Date.now();
    // A little slack: the timer set for PROGRESS_DELAY_MS may fire a millisecond early.
    const slow = [...this.runs].filter((r) => now - r.started >= PROGRESS_DELAY_MS - 20);
    const oldest = slow.sort((a, b) => a.started - b.started)[0];
    if (oldest) {
      const more = slow.length > 1 ? ` +${slow.length - 1}` : '';
      this.runItem.text = `$(sync~spin) ${documentLabel(oldest.uri.toString())} ${formatDuration(now - oldest.started)}${more} $(debug-stop)`;
      this.runItem.tooltip = 'Running. Click to interrupt (KeyboardInterrupt in the context).';
      this.runItem.command = { title: 'Interrupt', command: Commands.interrupt, arguments: [oldest.uri] };
      this.runItem.show();
      this.shown.run = this.runItem.text;
    } else {
      this.runItem.hide();
      this.shown.run = undefined;
    }

    // Busy times tick while anything runs; the timer stops when everything is idle.
    const ticking = this.runs.size > 0 || anyBusy;
    if (ticking && !this.ticker) this.ticker = setInterval(() => this.update(), 1000);
    if (!ticking && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  /** The texts shown now (undefined: hidden) and whether the 1 s ticker runs. */
  /** For tests; `runCommand` is what clicking the spinner runs. */
  state(): { context: string | undefined; run: string | undefined; ticking: boolean; runCommand: vscode.Command | undefined } {
    const cmd = this.runItem.command;
    return { ...this.shown, ticking: this.ticker !== undefined, runCommand: this.shown.run && typeof cmd === 'object' ? cmd : undefined };
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    if (this.pending) clearTimeout(this.pending);
    for (const s of this.subs) s.dispose();
    this.contextItem.dispose();
    this.runItem.dispose();
  }
}
