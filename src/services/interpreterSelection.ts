/**
 * Reads the inputs of the interpreter choice from VS Code: the pythonPath setting and, when the
 * Python extension (`ms-python.python`) is installed, its selected interpreter for a resource,
 * through its public API (`@vscode/python-extension`). The rules are in interpreterChoice.ts.
 *
 * The Python extension is optional. Its activation and environment resolution are time-boxed,
 * so a slow or broken Python extension delays the start of Python by ten seconds at most and
 * never hangs it; the choice then falls through to python3 on PATH.
 */
import { PVSC_EXTENSION_ID, PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';
import { readSettings } from '../manifest/config';
import type { InterpreterChooser } from './engine';
import type { OutputSink } from './surfaceHost';
import { chooseInterpreter, type InterpreterChoice, type PythonExtensionSelection } from './interpreterChoice';

/** How long to wait for the Python extension to activate and resolve its selection. */
export const PYTHON_EXTENSION_TIMEOUT_MS = 10_000;

class TimeoutError extends Error {}

function within<T>(p: Thenable<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(`${what} did not answer within ${ms / 1000} s`)), ms);
    Promise.resolve(p).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export class InterpreterSelection implements InterpreterChooser, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private api: Promise<PythonExtension> | undefined;
  private subscribed: vscode.Disposable | undefined;
  /** The API did not answer in time once: when it does answer, its selection is offered. */
  private late = false;
  private disposed = false;

  constructor(
    private readonly output: OutputSink,
    private readonly timeoutMs = PYTHON_EXTENSION_TIMEOUT_MS,
  ) {}

  async choose(resource?: vscode.Uri): Promise<InterpreterChoice> {
    const { pythonPath } = readSettings();
    // The setting wins: the Python extension is not even activated for it.
    if (pythonPath) return chooseInterpreter(pythonPath, undefined);
    return chooseInterpreter(pythonPath, await this.pythonExtensionSelection(resource));
  }

  private resourceFor(resource: vscode.Uri | undefined): vscode.Uri | undefined {
    return resource
      ?? vscode.window.activeTextEditor?.document.uri
      ?? vscode.window.activeNotebookEditor?.notebook.uri
      ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  }

  /** The Python extension's selection for the resource; undefined when it is absent, 'unanswered' when it is slow or fails. */
  private async pythonExtensionSelection(resource: vscode.Uri | undefined): Promise<PythonExtensionSelection | 'unanswered' | undefined> {
    if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return undefined;
    const started = Date.now();
    try {
      const api = await within(this.pythonApi(), this.timeoutMs, 'The Python extension');
      const envs = api.environments;
      const active = envs.getActiveEnvironmentPath(this.resourceFor(resource));
      const left = Math.max(1000, this.timeoutMs - (Date.now() - started));
      const resolved = await within(envs.resolveEnvironment(active), left, "The Python extension's resolveEnvironment");
      const v = resolved?.version;
      return {
        path: active.path,
        executable: resolved?.executable.uri?.fsPath,
        version: v ? `${v.major}.${v.minor}.${v.micro}` : undefined,
        sysVersion: v?.sysVersion,
      };
    } catch (e) {
      if (e instanceof TimeoutError && !this.subscribed) this.late = true;
      this.output.info(`the Python extension's selected interpreter is not used: ${e instanceof Error ? e.message : String(e)}`);
      return 'unanswered';
    }
  }

  /**
   * The API, activating the Python extension once. Its change event is subscribed as soon as
   * the API is there, even if that was after the time-box: a selection that arrives late is
   * then offered as a restart like any other change.
   */
  private pythonApi(): Promise<PythonExtension> {
    if (!this.api) {
      const api = PythonExtension.api();
      this.api = api;
      void api.then(
        (a) => {
          if (this.disposed || this.subscribed) return;
          this.subscribed = a.environments.onDidChangeActiveEnvironmentPath(() => this.emitter.fire());
          if (this.late) this.emitter.fire();
        },
        () => {
          // Try again next time: the extension may have been enabled or installed since.
          if (this.api === api) this.api = undefined;
        },
      );
    }
    return this.api;
  }

  dispose(): void {
    this.disposed = true;
    this.subscribed?.dispose();
    this.emitter.dispose();
  }
}
