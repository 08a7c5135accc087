/**
 * The engine, started lazily. Nothing starts at activation: the first run, the first
 * expansion of a pool in the tree, or an API call starts CPython with the user's settings and
 * the interpreter chosen by interpreterChoice.ts (setting, Python extension, PATH).
 * Start-up failures (no Python, unsupported version, no shared libpython) become one
 * notification with the fix and an "Open Settings" button; the tree shows the error.
 * A different interpreter chosen while Python runs is offered as a window reload, because
 * CPython cannot be started again with another libpython in the same process.
 */
import * as vscode from 'vscode';
import type { PoolSpec } from '../engine/pools';
import type { Python, StartOptions } from '../engine/types';
import { affectsEngine, readSettings } from '../manifest/config';
import type { OutputSink } from './surfaceHost';
import { CONFIG_SECTION, Commands } from '../manifest/ids';
import { chooseInterpreter, describeInterpreter, restartPrompt, sourceLabel, type InterpreterChoice } from './interpreterChoice';
import { TrustGuard, UntrustedWorkspaceError } from './trust';

export type StartFn = (options: StartOptions) => Promise<Python>;

/** Chooses the interpreter; implemented with the Python extension by interpreterSelection.ts. */
export interface InterpreterChooser {
  /** The interpreter to start for `resource` (a document; else the active editor's, else the first folder). */
  choose(resource?: vscode.Uri): Promise<InterpreterChoice>;
  /** Fires when the Python extension's selected interpreter changes. */
  readonly onDidChange: vscode.Event<void>;
}

/** Only the setting, then PATH: for an EngineService built without the Python extension (tests). */
export const settingOnlyChooser: InterpreterChooser = {
  choose: () => Promise.resolve(chooseInterpreter(readSettings().pythonPath, undefined)),
  onDidChange: () => ({ dispose: () => undefined }),
};

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

/** The engine's fix, and where the failing choice came from when that is not the setting. */
function fixFor(choice: InterpreterChoice, fix: string): string {
  if (choice.source === 'python-extension') {
    return `${fix} This Python is ${sourceLabel(choice.source)}: select another one there, or set pyContexts.pythonPath.`;
  }
  if (choice.source === 'path') return `${fix} (No interpreter is chosen, so the default python3 was tried: set pyContexts.pythonPath, or select one in the Python extension.)`;
  return fix;
}

export class EngineService implements vscode.Disposable {
  private state: EngineState = { kind: 'idle' };
  private starting: Promise<Python> | undefined;
  private engineSub: { dispose(): void } | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subs: vscode.Disposable[] = [];
  private disposed = false;
  /** What the running engine was started with, and for which resource. */
  private started: { choice: InterpreterChoice; resource: vscode.Uri | undefined } | undefined;
  /** The message of the restart prompt on screen, so that a burst of events shows it once. */
  private prompting: string | undefined;
  private reconsidering: Promise<void> = Promise.resolve();

  /** Fires when the engine's state changes, and on every engine change event. */
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly start: StartFn,
    private readonly trust: TrustGuard,
    private readonly output: OutputSink,
    private readonly chooser: InterpreterChooser = settingOnlyChooser,
  ) {
    this.subs.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!affectsEngine(e)) return;
        if (this.state.kind === 'failed') {
          // The user is fixing the setting the notification pointed at: try again next time.
          this.setState({ kind: 'idle' });
        } else if (this.state.kind === 'ready') {
          if (e.affectsConfiguration(`${CONFIG_SECTION}.pythonPath`)) {
            this.reconsider();
          } else {
            void vscode.window
              .showInformationMessage('Py Contexts: the new Python settings apply after a window reload.', 'Reload Window')
              .then((pick) => {
                if (pick) void vscode.commands.executeCommand('workbench.action.reloadWindow');
              });
          }
        }
      }),
      chooser.onDidChange(() => {
        if (this.state.kind === 'failed') this.setState({ kind: 'idle' });
        else if (this.state.kind === 'ready') this.reconsider();
      }),
    );
  }

  /** How the running interpreter was chosen, for the tree and the status bar. */
  get interpreterSource(): InterpreterChoice['source'] | undefined {
    return this.state.kind === 'ready' ? this.started?.choice.source : undefined;
  }

  /**
   * The selection changed while Python runs: offer a window reload when it now names another
   * interpreter, and say nothing when it is the same one. Checks run one after another, so a
   * burst of change events asks the Python extension once per event but prompts at most once.
   */
  private reconsider(): void {
    this.reconsidering = this.reconsidering.then(async () => {
      const python = this.current;
      const started = this.started;
      if (!python || !started || this.disposed) return;
      let choice: InterpreterChoice;
      try {
        choice = await this.chooser.choose(started.resource);
      } catch (e) {
        this.output.info(`checking the selected Python failed: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      if (this.disposed || this.current !== python) return;
      const message = restartPrompt(choice, { requested: started.choice.python, executable: python.interpreter.executable, info: python.interpreter });
      if (!message) {
        this.output.info(choice.unanswered
          ? `the Python extension did not answer; ${python.interpreter.executable} keeps running, nothing to restart`
          : `the selected Python is still ${python.interpreter.executable}; nothing to restart`);
        return;
      }
      if (this.prompting === message) return;
      this.prompting = message;
      this.output.info(message);
      void vscode.window.showInformationMessage(message, 'Reload Window').then((pick) => {
        if (this.prompting === message) this.prompting = undefined;
        if (pick) void vscode.commands.executeCommand('workbench.action.reloadWindow');
      });
    });
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

  /**
   * The engine, starting it on first use. Rejects in untrusted workspaces and after a failed
   * start. `resource` is the document that needs Python: the Python extension's selection for
   * its workspace folder is the one used when the engine starts.
   */
  python(resource?: vscode.Uri): Promise<Python> {
    if (this.disposed) return Promise.reject(new Error('Py Contexts has been deactivated'));
    if (!this.trust.trusted) return Promise.reject(new UntrustedWorkspaceError('Starting Python'));
    if (this.state.kind === 'ready') return Promise.resolve(this.state.python);
    if (this.state.kind === 'failed') {
      vscode.window.setStatusBarMessage(`$(error) Py Contexts: Python is unavailable. ${this.state.fix}`, 8000);
      return Promise.reject(new Error(`${this.state.message}\nFix: ${this.state.fix}`));
    }
    this.starting ??= this.doStart(resource).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async doStart(resource: vscode.Uri | undefined): Promise<Python> {
    const settings = readSettings();
    for (const p of settings.problems) this.output.info(`settings: ${p}`);
    this.setState({ kind: 'starting' });
    // Own-GIL pools start once Python runs: an interpreter that cannot give them (3.11, 3.13t)
    // must still start the worker pools, and the refusal is told as such (startOwnGilPools).
    const opts: StartOptions = { pools: Object.fromEntries(Object.entries(settings.pools).filter(([, s]) => s.mode === 'worker')) };
    let choice: InterpreterChoice = { source: 'path', python: undefined };
    try {
      choice = await this.chooser.choose(resource);
      if (choice.python !== undefined) opts.python = choice.python;
      this.started = { choice, resource };
      const python = await this.start(opts);
      if (this.disposed) {
        await python.shutdown();
        throw new Error('Py Contexts was deactivated while Python was starting');
      }
      this.engineSub = python.onDidChange(() => this.emitter.fire());
      const described = describeInterpreter(python.interpreter, choice.source);
      this.output.info(`${described.label} started from ${described.description} (chosen by ${sourceLabel(choice.source)}); pools ${Object.entries(settings.pools).map(([n, s]) => `${n}:${s.size} ${s.mode}`).join(', ')}`);
      await this.startOwnGilPools(python, settings.pools);
      this.setState({ kind: 'ready', python });
      return python;
    } catch (e) {
      const message = ((e instanceof Error ? e.message : String(e)).split('\nFix:')[0] ?? String(e)).replace(/^Python could not start:\s*/, '');
      const fix = fixFor(choice, fixOf(e));
      this.output.info(`Python could not start: ${message}\nFix: ${fix}`);
      this.setState({ kind: 'failed', message, fix });
      // One notification per failure; later attempts only flash the status bar.
      const items = choice.source === 'python-extension' ? ['Open Settings', 'Select Interpreter', 'Show Output'] : ['Open Settings', 'Show Output'];
      void vscode.window.showErrorMessage(`Py Contexts: Python could not start. ${message} ${fix}`, ...items).then((pick) => {
        if (pick === 'Open Settings') void vscode.commands.executeCommand(Commands.openSettings);
        if (pick === 'Select Interpreter') void vscode.commands.executeCommand('python.setInterpreter');
        if (pick === 'Show Output') void vscode.commands.executeCommand(Commands.showOutput);
      });
      throw e;
    }
  }

  /** Starts the configured 'owngil' pools; a refusal (its `code` says why) is shown once, not fatal. */
  private async startOwnGilPools(python: Python, pools: Readonly<Record<string, PoolSpec>>): Promise<void> {
    for (const [name, spec] of Object.entries(pools)) {
      if (spec.mode !== 'owngil' || python.poolStarted(name)) continue;
      try {
        await python.startPool(name, spec.size, { mode: 'owngil' });
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        this.output.info(`settings: ${message}`);
        void vscode.window.showWarningMessage(`Py Contexts: ${message}`);
      }
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
    return python ? python.shutdown().then(() => undefined) : Promise.resolve();
  }
}
