/**
 * The engine, started lazily. Nothing starts at activation: the first run, the first
 * expansion of a pool in the tree, or an API call starts CPython with the user's settings.
 * Start-up failures (no Python, wrong minor version, no shared libpython) become one
 * notification with the fix and an "Open Settings" button; the tree shows the error.
 */
import * as vscode from 'vscode';
import type { Python, StartOptions } from '../engine/types';
import { affectsEngine, readSettings } from './config';
import type { OutputSink } from './host';
import { Commands } from './ids';
import { TrustGuard, UntrustedWorkspaceError } from './trust';

export type StartFn = (options: StartOptions) => Promise<Python>;

export type EngineState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'ready'; python: Python }
  | { kind: 'failed'; message: string; fix: string };

/** The `fix` of the engine's EngineStartError, read structurally. */
function fixOf(e: unknown): string {
  const fix = typeof e === 'object' && e !== null ? (e as Record<string, unknown>)['fix'] : undefined;
  return typeof fix === 'string' ? fix : 'Check pyContexts.pythonPath: it must name a Python of the version the addon was built for, with a shared libpython.';
}

export class EngineService implements vscode.Disposable {
  private state: EngineState = { kind: 'idle' };
  private starting: Promise<Python> | undefined;
  private engineSub: { dispose(): void } | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subs: vscode.Disposable[] = [];
  private disposed = false;

  /** Fires when the engine's state changes, and on every engine change event. */
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly start: StartFn,
    private readonly trust: TrustGuard,
    private readonly output: OutputSink,
  ) {
    this.subs.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!affectsEngine(e)) return;
        if (this.state.kind === 'failed') {
          // The user is fixing the setting the notification pointed at: try again next time.
          this.setState({ kind: 'idle' });
        } else if (this.state.kind === 'ready') {
          void vscode.window
            .showInformationMessage('Py Contexts: the new Python settings apply after a window reload.', 'Reload Window')
            .then((pick) => {
              if (pick) void vscode.commands.executeCommand('workbench.action.reloadWindow');
            });
        }
      }),
    );
  }

  get current(): Python | undefined {
    return this.state.kind === 'ready' ? this.state.python : undefined;
  }

  get status(): EngineState {
    return this.state;
  }

  private setState(s: EngineState): void {
    this.state = s;
    this.emitter.fire();
  }

  /** The engine, starting it on first use. Rejects in untrusted workspaces and after a failed start. */
  python(): Promise<Python> {
    if (this.disposed) return Promise.reject(new Error('Py Contexts has been deactivated'));
    if (!this.trust.trusted) return Promise.reject(new UntrustedWorkspaceError('Starting Python'));
    if (this.state.kind === 'ready') return Promise.resolve(this.state.python);
    if (this.state.kind === 'failed') {
      vscode.window.setStatusBarMessage(`$(error) Py Contexts: Python is unavailable. ${this.state.fix}`, 8000);
      return Promise.reject(new Error(`${this.state.message}\nFix: ${this.state.fix}`));
    }
    this.starting ??= this.doStart().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async doStart(): Promise<Python> {
    const settings = readSettings();
    for (const p of settings.problems) this.output.info(`settings: ${p}`);
    this.setState({ kind: 'starting' });
    const opts: StartOptions = { pools: settings.pools };
    if (settings.pythonPath) opts.python = settings.pythonPath;
    try {
      const python = await this.start(opts);
      if (this.disposed) {
        await python.shutdown();
        throw new Error('Py Contexts was deactivated while Python was starting');
      }
      this.engineSub = python.onDidChange(() => this.emitter.fire());
      this.output.info(`Python ${python.version.split(' ')[0] ?? ''} started; pools ${Object.entries(settings.pools).map(([n, s]) => `${n}:${s}`).join(', ')}`);
      this.setState({ kind: 'ready', python });
      return python;
    } catch (e) {
      const message = ((e instanceof Error ? e.message : String(e)).split('\nFix:')[0] ?? String(e)).replace(/^Python could not start:\s*/, '');
      const fix = fixOf(e);
      this.output.info(`Python could not start: ${message}\nFix: ${fix}`);
      this.setState({ kind: 'failed', message, fix });
      // One notification per failure; later attempts only flash the status bar.
      void vscode.window.showErrorMessage(`Py Contexts: Python could not start. ${message} ${fix}`, 'Open Settings', 'Show Output').then((pick) => {
        if (pick === 'Open Settings') void vscode.commands.executeCommand(Commands.openSettings);
        if (pick === 'Show Output') void vscode.commands.executeCommand(Commands.showOutput);
      });
      throw e;
    }
  }

  dispose(): Promise<void> {
    this.disposed = true;
    this.engineSub?.dispose();
    for (const s of this.subs) s.dispose();
    const python = this.current;
    this.emitter.dispose();
    // Deactivation waits for this: every in-flight call settles with a clear error and the
    // context threads stop before the extension host goes on.
    return python ? python.shutdown() : Promise.resolve();
  }
}
