/**
 * The seam between the extension's services and the surfaces. Surfaces depend on these
 * interfaces only: the notebook controller (src/surfaces/notebook/) on NotebookHost, the
 * other surfaces on SurfaceHost, which adds what the tree, the status bar and the commands
 * show and act on. Both are implemented by `Services` (services.ts), the one owner of the
 * services; nothing else in this folder is for surfaces to import.
 */
import * as vscode from 'vscode';
import type { OutputStream, Python, PyProcess } from '../engine/types';
import type { EngineState } from './engine';
import type { FullOutputFile } from './fullOutput';

/** The output of one run, which may show only its share of the channel. */
export interface RunOutput {
  write(stream: OutputStream, text: string): void;
  /**
   * The run ended: if its output went past its share, the channel says how much more there
   * was and where the file of all of it is. Resolves when that file is complete.
   */
  end(): Promise<void>;
}

/** Takes output of a document's threads after their run ended; false: not mine. */
export type BackgroundOutputHandler = (uri: vscode.Uri, stream: OutputStream, text: string) => boolean;

/** Where user-visible text goes: the "Py Contexts" output channel. */
export interface OutputSink {
  /** Live stdout/stderr of user code; every line is tagged with the document's short name. */
  stream(uri: vscode.Uri, stream: OutputStream, text: string): void;
  /**
   * The output of one run of a document: shown like `stream` up to the run's share of the
   * channel (setting pyContexts.output.maxSize); past it, only written to a file of the
   * whole output, which the channel links to.
   */
  run(uri: vscode.Uri): RunOutput;
  /** A new file in the extension's log folder for output too big to show (notebook cells). */
  fullOutputFile(label: string): FullOutputFile;
  /**
   * A failed run: a PythonError prints its traceback followed by clickable `file:line`
   * locations; any other error prints its message.
   */
  error(uri: vscode.Uri, err: unknown): void;
  /** A line about the extension itself (start-up, restarts), not about user code. */
  info(message: string): void;
  /** Reveals the channel without taking focus. */
  show(): void;
}

export interface NotebookHost {
  readonly extensionUri: vscode.Uri;
  /**
   * The engine, started on first use with the user's settings. Rejects when the workspace
   * is untrusted or Python cannot start; the user has already been told why in both cases,
   * so callers only need to stop.
   */
  python(): Promise<Python>;
  /**
   * The process of a document or notebook, keyed by `uri.toString()`, created (and the engine
   * started) on first use. The host closes it when the document or notebook closes.
   */
  process(uri: vscode.Uri): Promise<PyProcess>;
  /** The existing process of a document; never starts the engine. */
  findProcess(uri: vscode.Uri): PyProcess | undefined;
  /**
   * True when user code may run. When the workspace is untrusted it shows why (once per
   * action) and returns false; `action` names what was refused, e.g. "Run Cell".
   */
  requireTrust(action: string): boolean;
  readonly output: OutputSink;
  /**
   * Output of threads a document's code started, written after the run that started them
   * ended, goes to the first handler that takes it; otherwise to the output channel under
   * the document's name.
   */
  claimBackgroundOutput(handler: BackgroundOutputHandler): vscode.Disposable;
  /** Fires after engine state changes: calls start or end, processes open or close. */
  readonly onDidChange: vscode.Event<void>;
}

/** Told when a document's process is created (before anything runs in it), used for a run, and closed. */
export interface ProcessLifecycle {
  created(uri: vscode.Uri, proc: PyProcess): void;
  used(uri: vscode.Uri, proc: PyProcess): void;
  /** The document closed (whether or not it had a process). */
  closed(uri: vscode.Uri): void;
}

/** The running interpreter as the tree and the status bar show it. */
export interface InterpreterDescription {
  label: string;
  description: string;
  tooltip: string;
}

/** What every surface but the notebook needs from the services. */
export interface SurfaceHost extends NotebookHost {
  /** The running engine; undefined until it has started. Never starts it. */
  readonly current: Python | undefined;
  /** Whether the engine is idle (not started), starting, ready, or failed to start (and why). */
  readonly status: EngineState;
  /** The running interpreter and how it was chosen; undefined until the engine has started. */
  readonly interpreter: InterpreterDescription | undefined;
  /** Whether the workspace is trusted (user code may run); says nothing to the user. */
  readonly trusted: boolean;
  /** The documents whose code runs in `proc` (several when they share its environment). */
  documentsOf(proc: PyProcess): vscode.Uri[];
  /**
   * `uri` runs in `target`'s environment from now on ("Share Environment with…"). Starts the
   * engine if needed; resolves to the shared process.
   */
  share(uri: vscode.Uri, target: vscode.Uri): Promise<PyProcess>;
  /** `uri` leaves the environment it shares for a fresh one of its own; false when it shared nothing. */
  stopSharing(uri: vscode.Uri): boolean;
  /** Fires when a document starts or stops sharing another's environment. */
  readonly onDidChangeSharing: vscode.Event<void>;
  /** Tells `lifecycle` about every document's process as it is created, used and closed. */
  observe(lifecycle: ProcessLifecycle): vscode.Disposable;
}

/**
 * The document whose process runs code from `doc`: a notebook cell's code runs in its
 * notebook's environment, everything else in its own.
 */
export function ownerOf(doc: vscode.TextDocument): vscode.Uri {
  if (doc.uri.scheme !== 'vscode-notebook-cell') return doc.uri;
  const nb = vscode.workspace.notebookDocuments.find((n) => n.getCells().some((c) => c.document === doc));
  return nb?.uri ?? doc.uri;
}

