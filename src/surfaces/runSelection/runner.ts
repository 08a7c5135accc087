/**
 * Run Selection, Run File, Run Cell and Run Above: the thin adapter between editors and a
 * document's process. Which code runs is decided by the pure functions in selection.ts,
 * cells.ts and statements.ts (the statement under the cursor).
 */
import * as vscode from 'vscode';
import { ownerOf, type SurfaceHost } from '../../services/surfaceHost';
import { documentLabel } from '../../text/labels';
import { documentFilename, failingLine, isPythonErrorLike } from '../../text/traceback';
import type { DisplayData, PyProcess, ValueRepr } from '../../engine/types';
import type { CodeBlock, RunObserver, RunOutcome, RunSink, RunTracker } from '../contracts';
import { cellAt, cellBlock, cellsAbove, findCells } from './cells';
import type { InlineResults } from './decorations';
import { errorText, oneLine, resultHover, resultText } from './inline';
import { blockFromLines, blockFromSelection, splitLines } from './selection';
import { statementAt } from './statements';

/**
 * What the run commands return; `executeCommand` hands it to callers such as the tests.
 * `value` is the trailing value as Python's bounded repr (undefined: no trailing expression);
 * the value itself stays in Python as `_`.
 */
export type RunResult = { ok: true; value: ValueRepr | undefined; block: CodeBlock } | { ok: false; error: string; block?: CodeBlock };

function textOfDisplay(d: DisplayData): string {
  const plain = d.data['text/plain'];
  const kinds = Object.keys(d.data).filter((k) => k !== 'text/plain');
  const where = kinds.some((k) => k.startsWith('image/')) ? 'the Plots view and consoles' : 'consoles and notebooks';
  const rich = kinds.length > 0 ? ` [${kinds.join(', ')}: shown in ${where}]` : '';
  return `${typeof plain === 'string' ? plain : '<display>'}${rich}\n`;
}

/** Observers must never break a run: a failing one is skipped. */
function each(sinks: readonly RunSink[], fn: (s: RunSink) => void): void {
  for (const s of sinks) {
    try {
      fn(s);
    } catch {
      // An observer's failure is its own; the run and the other observers go on.
    }
  }
}

/**
 * A figure the run left open (`plt.plot()` without `show()`), sent at the run's end when
 * asked with `leftOpenFigures` (python/py_contexts/plots.py `send_left_open`): for the
 * observers only, as it is no output the code itself made.
 */
export function isLeftOpenFigure(d: DisplayData): boolean {
  const m = d.metadata['py_contexts'];
  return typeof m === 'object' && m !== null && (m as Record<string, unknown>)['left_open'] === true;
}

/** After an interrupt, runs still pending this long later are abandoned (queued ones dropped). */
const ABANDON_AFTER_MS = 1000;

export class Runner implements vscode.Disposable {
  /** Runs in flight per document, so that Interrupt can abandon them. */
  private readonly active = new Map<string, Set<AbortController>>();
  private readonly observers = new Set<RunObserver>();
  /**
   * The open documents by URI, kept from the open/close events: `workspace.textDocuments`
   * builds the whole list on each read, which 100 documents running at once paid 100 times
   * in one turn (issue 17). The document object must be the current one: an untitled URI is
   * reused after its document closes, and a language change reopens the same URI.
   */
  private readonly openDocs = new Map<string, vscode.TextDocument>();
  private readonly subs: vscode.Disposable[];

  constructor(
    private readonly host: SurfaceHost,
    private readonly inline: InlineResults,
    private readonly tracker: RunTracker,
  ) {
    for (const d of vscode.workspace.textDocuments) this.openDocs.set(d.uri.toString(), d);
    this.subs = [
      vscode.workspace.onDidOpenTextDocument((d) => this.openDocs.set(d.uri.toString(), d)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        const key = d.uri.toString();
        if (this.openDocs.get(key) === d) this.openDocs.delete(key);
      }),
    ];
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.openDocs.clear();
  }

  observe(observer: RunObserver): { dispose(): void } {
    this.observers.add(observer);
    return { dispose: () => this.observers.delete(observer) };
  }

  private async processFor(doc: vscode.TextDocument): Promise<PyProcess | undefined> {
    try {
      return await this.host.process(ownerOf(doc));
    } catch {
      // The engine has told the user why (untrusted workspace, or Python failed to start).
      return undefined;
    }
  }

  /** Shift+Enter: the selection, or the statement under the cursor, then the cursor moves on. */
  async runSelection(editor: vscode.TextEditor | undefined = vscode.window.activeTextEditor): Promise<RunResult | undefined> {
    if (!editor) return undefined;
    if (!this.host.requireTrust('Run Selection')) return { ok: false, error: 'untrusted workspace' };
    const doc = editor.document;
    const lines = splitLines(doc.getText());
    const sel = editor.selection;
    if (!sel.isEmpty) {
      const block = blockFromSelection(lines, {
        startLine: sel.start.line,
        startChar: sel.start.character,
        endLine: sel.end.line,
        endChar: sel.end.character,
      });
      return block ? this.runBlock(doc, block) : undefined;
    }
    // Found here, without Python: a call would queue behind whatever the context is running,
    // and the cursor must move at once.
    const { start, end, next } = statementAt(lines, sel.active.line + 1);
    // Move first, as Jupyter does, so the next Shift+Enter can be pressed right away.
    const target = Math.min(Math.max(next, 1), doc.lineCount) - 1;
    if (vscode.window.activeTextEditor === editor && target !== sel.active.line) {
      const col = doc.lineAt(target).firstNonWhitespaceCharacterIndex;
      editor.selection = new vscode.Selection(target, col, target, col);
      editor.revealRange(new vscode.Range(target, 0, target, 0), vscode.TextEditorRevealType.Default);
    }
    const block = start <= end ? blockFromLines(lines, start, end) : undefined;
    return block ? this.runBlock(doc, block) : undefined;
  }

  async runFile(uri?: vscode.Uri): Promise<RunResult | undefined> {
    const doc = await this.documentFor(uri);
    if (!doc) return undefined;
    if (!this.host.requireTrust('Run File')) return { ok: false, error: 'untrusted workspace' };
    const lines = splitLines(doc.getText());
    const block = blockFromLines(lines, 1, lines.length);
    // As `python file.py`: sys.argv[0] is the script's path.
    const argv = doc.uri.scheme === 'file' ? [doc.uri.fsPath] : undefined;
    return block ? this.runBlock(doc, block, argv) : undefined;
  }

  /** The `# %%` cell at `line` (0-based; the cursor's when omitted). */
  async runCell(uri?: vscode.Uri, line?: number): Promise<RunResult | undefined> {
    const doc = await this.documentFor(uri);
    if (!doc) return undefined;
    if (!this.host.requireTrust('Run Cell')) return { ok: false, error: 'untrusted workspace' };
    const lines = splitLines(doc.getText());
    const cells = findCells(lines);
    const at = line ?? this.cursorLine(doc);
    const cell = cellAt(cells, at);
    const block = cell ? cellBlock(lines, cell) : blockFromLines(lines, 1, lines.length);
    return block ? this.runBlock(doc, block) : undefined;
  }

  /** Every code cell above the one at `line`, in order, stopping at the first error. */
  async runAbove(uri?: vscode.Uri, line?: number): Promise<RunResult | undefined> {
    const doc = await this.documentFor(uri);
    if (!doc) return undefined;
    if (!this.host.requireTrust('Run Above')) return { ok: false, error: 'untrusted workspace' };
    const lines = splitLines(doc.getText());
    const cells = findCells(lines);
    const cell = cellAt(cells, line ?? this.cursorLine(doc));
    if (!cell) return undefined;
    let last: RunResult | undefined;
    for (const c of cellsAbove(cells, cell)) {
      const block = cellBlock(lines, c);
      if (!block) continue;
      last = await this.runBlock(doc, block);
      if (!last.ok) break;
    }
    return last;
  }

  /** Registers a call of this document that Interrupt may abandon; call `done` when it settles. */
  private track(uri: vscode.Uri): { signal: AbortSignal; done(): void } {
    const abort = new AbortController();
    const key = uri.toString();
    const runs = this.active.get(key) ?? new Set<AbortController>();
    this.active.set(key, runs.add(abort));
    return {
      signal: abort.signal,
      done: () => {
        runs.delete(abort);
        if (runs.size === 0 && this.active.get(key) === runs) this.active.delete(key);
      },
    };
  }

  /**
   * Interrupts a document's code: a KeyboardInterrupt into its running call (so the
   * traceback shows where it stopped), and a second later any of its runs still pending are
   * abandoned: queued ones never run, and one stuck in C stops holding the editor.
   * Returns false when the document has nothing running from here.
   */
  interrupt(uri: vscode.Uri, proc: PyProcess | undefined): boolean {
    const runs = this.active.get(uri.toString());
    proc?.interrupt();
    if (!runs || runs.size === 0) return false;
    const pending = [...runs];
    setTimeout(() => {
      for (const ac of pending) ac.abort();
    }, ABANDON_AFTER_MS);
    return true;
  }

  private cursorLine(doc: vscode.TextDocument): number {
    const ed = vscode.window.activeTextEditor;
    return ed && ed.document === doc ? ed.selection.active.line : 0;
  }

  private async documentFor(uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
    if (uri instanceof vscode.Uri) {
      const open = this.openDocs.get(uri.toString());
      return open && !open.isClosed ? open : vscode.workspace.openTextDocument(uri);
    }
    return vscode.window.activeTextEditor?.document;
  }

  /** Runs one block in the document's process and shows the outcome inline and in the output. */
  async runBlock(doc: vscode.TextDocument, block: CodeBlock, argv?: string[]): Promise<RunResult> {
    const proc = await this.processFor(doc);
    if (!proc) return { ok: false, error: 'Python is not available', block };
    const uri = doc.uri;
    const label = documentLabel(uri.toString());
    const filename = documentFilename(uri);
    const output = this.host.output;
    let revealed = false;
    const progress = this.tracker.begin(uri, proc);
    const call = this.track(uri);
    // This run's share of the output channel; a bigger output goes to a file (issue 17).
    const out = output.run(uri);
    const sinks: RunSink[] = [];
    for (const o of this.observers) {
      try {
        const sink = o.begin(doc, block, proc);
        if (sink) sinks.push(sink);
      } catch {
        // As in each(): an observer never stops a run.
      }
    }
    const finish = (outcome: RunOutcome): void => each(sinks, (s) => s.end(outcome));
    try {
      // Only the repr text comes back: converting a huge value to JS just to show a line of
      // it would stall the extension host.
      const value = (await proc.run(block.code, {
        result: 'repr',
        signal: call.signal,
        filename,
        firstLine: block.firstLine,
        sourceText: doc.getText(),
        // A file-backed document is a script: __file__ is its path.
        ...(uri.scheme === 'file' ? { file: uri.fsPath } : {}),
        ...(argv ? { argv } : {}),
        // Figures left open come with the run, for the observers; nobody else shows them.
        leftOpenFigures: sinks.length > 0,
        onOutput: (stream, text) => {
          out.write(stream, text);
          each(sinks, (s) => s.output(stream, text));
          if (!revealed) {
            revealed = true;
            output.show();
          }
        },
        onDisplay: (d) => {
          if (!isLeftOpenFigure(d)) out.write('stdout', textOfDisplay(d));
          each(sinks, (s) => s.display(d));
        },
        onInput: (prompt, password) =>
          Promise.resolve(
            vscode.window.showInputBox({
              title: `input() in ${label}`,
              prompt: prompt || `${label} is waiting for input`,
              password,
              ignoreFocusOut: true,
            }),
          ),
      })) as ValueRepr | null | undefined;
      void out.end();
      finish({ ok: true, value: value ?? undefined });
      this.inline.show(uri, {
        kind: 'result',
        line: block.lastLine - 1,
        from: block.firstLine - 1,
        to: block.lastLine - 1,
        text: resultText(value),
        hover: resultHover(value),
      });
      return { ok: true, value: value ?? undefined, block };
    } catch (e) {
      // The note about output not shown comes before the traceback, which ends the run.
      void out.end();
      output.error(uri, e);
      const line = (isPythonErrorLike(e) ? failingLine(e, filename) : undefined) ?? block.lastLine;
      const aborted = e instanceof Error && e.name === 'AbortError';
      finish({ ok: false, error: e });
      const text = isPythonErrorLike(e)
        ? errorText(e.type, e.pythonMessage ?? '')
        : aborted
          ? '✗ Interrupted (abandoned)'
          : oneLine(`✗ ${e instanceof Error ? e.message : String(e)}`);
      this.inline.show(uri, {
        kind: 'error',
        line: line - 1,
        from: block.firstLine - 1,
        to: block.lastLine - 1,
        text,
        hover: isPythonErrorLike(e) ? e.traceback : text,
      });
      return { ok: false, error: text, block };
    } finally {
      call.done();
      progress.end();
      // When the command returns, a run's full output file is complete.
      await out.end();
    }
  }
}
