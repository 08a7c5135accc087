/**
 * The seam between the extension's shared services and the surfaces that run user code.
 * The notebook controller (src/surfaces/notebook/) receives a NotebookHost from
 * extension.ts and needs nothing else from the rest of the extension; the other surfaces
 * use the same object. It is implemented by `ExtensionHost` in src/common/extensionHost.ts.
 */
import type * as vscode from 'vscode';
import type { DisplayData, OutputStream, Python, PyProcess } from '../engine/types';
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

/** How a run from an editor ended, for the console cell that shows it. */
export type ConsoleOutcome = { ok: true; value?: DisplayData | undefined } | { ok: false; error: unknown };

/** A console cell showing one editor run while it runs: output streams in, then the outcome. */
export interface ConsoleCell {
  output(stream: OutputStream, text: string): void;
  display(data: DisplayData): void;
  end(outcome: ConsoleOutcome): Promise<void>;
}

/**
 * What the console surface (src/surfaces/console/) needs from the notebook controller: a
 * cell appended to an interactive window, showing outputs of code that runs elsewhere (the
 * editor's run), numbered like the console's own cells.
 */
export interface ConsoleKernel {
  append(notebook: vscode.NotebookDocument, code: string, metadata: Record<string, unknown>): Promise<ConsoleCell>;
}
