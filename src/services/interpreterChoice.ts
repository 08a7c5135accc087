/**
 * Which Python the engine starts with, as pure functions (tested in
 * test/unit/interpreterChoice.unit.test.ts). The first that applies wins:
 *   1. the machine-scoped `pyContexts.pythonPath` setting;
 *   2. the interpreter selected in the Python extension for the document's workspace folder;
 *   3. `python3` on PATH (the engine's own default, used when no python is passed).
 * The VS Code side (reading the setting, asking the Python extension) is in
 * interpreterSelection.ts; the engine checks the choice itself (python/probe.py).
 */
import { isAbsolute, normalize } from 'node:path';
import type { InterpreterInfo } from '../engine/types';

export type InterpreterSource = 'setting' | 'python-extension' | 'path';

/** What the Python extension reports for a resource, reduced to what the choice needs. */
export interface PythonExtensionSelection {
  /** `getActiveEnvironmentPath(resource).path`: an executable, an environment folder, or a bare name ('python'). */
  path: string;
  /** `resolveEnvironment(...).executable.uri.fsPath`, when it resolved to one. */
  executable?: string | undefined;
  /** '3.13.5', from the resolved version. */
  version?: string | undefined;
  /** `sys.version` of the resolved environment; a free-threaded build says "free-threading build". */
  sysVersion?: string | undefined;
}

export interface InterpreterChoice {
  source: InterpreterSource;
  /** What to pass to `startPython({ python })`; undefined means the engine's default (python3 on PATH). */
  python: string | undefined;
  /** Known before start only when the Python extension resolved it. */
  version?: string | undefined;
  freeThreaded?: boolean | undefined;
  /**
   * The Python extension is installed but did not answer (in time): the choice fell through to
   * PATH for lack of an answer, not because nothing is selected there.
   */
  unanswered?: boolean | undefined;
}

/** `sys.version` of a free-threaded build: '3.13.5 experimental free-threading build (main, …)'. */
export function isFreeThreadedSysVersion(sysVersion: string | undefined): boolean {
  return /free-threading build/i.test(sysVersion ?? '');
}

function isAbsolutePath(p: string | undefined): p is string {
  return typeof p === 'string' && isAbsolute(p);
}

/**
 * The interpreter to start. The Python extension's selection counts only when it names a file
 * or folder by absolute path: its default when nothing is selected is the bare name 'python',
 * which says nothing more than PATH does, so that falls through to the engine's default.
 */
export function chooseInterpreter(pythonPath: string, ext: PythonExtensionSelection | 'unanswered' | undefined): InterpreterChoice {
  const setting = pythonPath.trim();
  if (setting) return { source: 'setting', python: setting };
  if (ext === 'unanswered') return { source: 'path', python: undefined, unanswered: true };
  if (ext) {
    const python = isAbsolutePath(ext.executable) ? ext.executable : isAbsolutePath(ext.path) ? ext.path : undefined;
    if (python) {
      return { source: 'python-extension', python, version: ext.version, freeThreaded: ext.sysVersion === undefined ? undefined : isFreeThreadedSysVersion(ext.sysVersion) };
    }
  }
  return { source: 'path', python: undefined };
}

/** The interpreter the engine was started with: what was asked for, and what it turned out to be. */
export interface StartedInterpreter {
  requested: string | undefined;
  executable: string;
}

function samePath(a: string, b: string): boolean {
  return normalize(a).replace(/\/+$/, '') === normalize(b).replace(/\/+$/, '');
}

/**
 * True when `choice` names the interpreter already running, so that no restart is offered.
 * A path counts as the same when it is what was asked for at start or the running
 * `sys.executable`. Paths are compared as written, not resolved: a virtual environment's
 * python is a symlink to its base interpreter, yet a different choice (its own site-packages).
 */
export function sameInterpreter(choice: InterpreterChoice, started: StartedInterpreter): boolean {
  if (choice.python === undefined) return started.requested === undefined;
  return (started.requested !== undefined && samePath(choice.python, started.requested)) || samePath(choice.python, started.executable);
}

/** 'Python 3.13.5 (free-threaded)'. */
export function interpreterTitle(info: Pick<InterpreterInfo, 'version' | 'freeThreaded'>): string {
  return `Python ${info.version}${info.freeThreaded ? ' (free-threaded)' : ''}`;
}

/** Where the choice came from, for tooltips and messages. */
export function sourceLabel(source: InterpreterSource): string {
  switch (source) {
    case 'setting':
      return 'the pyContexts.pythonPath setting';
    case 'python-extension':
      return 'the interpreter selected in the Python extension';
    case 'path':
      return 'python3 on PATH';
  }
}

/** The choice in a few words, for "Restart Python with X": 'Python 3.13.5 (free-threaded) at /opt/py/bin/python3'. */
export function describeChoice(choice: InterpreterChoice): string {
  if (choice.python === undefined) return 'python3 on PATH';
  if (choice.version) return `${interpreterTitle({ version: choice.version, freeThreaded: choice.freeThreaded ?? false })} at ${choice.python}`;
  return choice.python;
}

/** The tree's interpreter row and the status bar's tooltip line. */
export function describeInterpreter(info: InterpreterInfo, source: InterpreterSource | undefined): { label: string; description: string; tooltip: string } {
  const gil = info.freeThreaded ? 'free-threaded: contexts run Python in parallel' : 'with the GIL: one context runs Python at a time';
  const from = source ? `\nChosen by ${sourceLabel(source)}.` : '';
  return {
    label: interpreterTitle(info),
    description: info.executable,
    tooltip: `${interpreterTitle(info)}\n${info.executable}\n${gil}${from}`,
  };
}

/**
 * The prompt shown when the selection changes while Python runs, or undefined when nothing
 * should be said: the same interpreter, or a Python extension that did not answer (a slow
 * extension is no reason to offer python3 on PATH instead). CPython cannot be started again
 * with another libpython in the same process, so switching means reloading the window.
 */
export function restartPrompt(choice: InterpreterChoice, started: StartedInterpreter & { info: InterpreterInfo }): string | undefined {
  if (choice.unanswered || sameInterpreter(choice, started)) return undefined;
  return `Py Contexts: Restart Python with ${describeChoice(choice)}? It was chosen by ${sourceLabel(choice.source)}. `
    + `${interpreterTitle(started.info)} keeps running until the window reloads, and reloading clears every document's variables.`;
}
