/**
 * What surfaces hand each other, as types only. A surface never imports another surface's
 * folder: the run commands tell observers (the console, the Plots view) and a tracker (the
 * status bar) about runs through these interfaces, and the notebook controller gives the
 * console a kernel; extension.ts connects them.
 */
import type * as vscode from 'vscode';
import type { DisplayData, OutputStream, PyProcess, ValueRepr } from '../engine/types';

/** Code ready for `PyProcess.run(code, { firstLine })`. Lines are 1-based and inclusive. */
export interface CodeBlock {
  code: string;
  firstLine: number;
  /** The last line with code; inline results are shown at its end. */
  lastLine: number;
}

/** Shows progress for runs that take a while (the status bar does this). */
export interface RunTracker {
  begin(uri: vscode.Uri, proc: PyProcess): { end(): void };
}

/** How a run ended, for observers. */
export type RunOutcome = { ok: true; value: ValueRepr | undefined } | { ok: false; error: unknown };

/** Sees one run's output as it happens (the console, the Plots view). */
export interface RunSink {
  output(stream: OutputStream, text: string): void;
  display(data: DisplayData): void;
  end(outcome: RunOutcome): void;
}

/** Told about every run from an editor; returns a sink for it, or nothing to stay out. */
export interface RunObserver {
  begin(doc: vscode.TextDocument, block: CodeBlock, proc: PyProcess): RunSink | undefined;
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
