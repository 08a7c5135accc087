/**
 * The notebook controller: VS Code's side of running `.ipynb` cells in the embedded
 * interpreter. Each notebook is one process of the engine (its own environment); its
 * cells go through one queue (./queue.ts), their output through a CellOutputWriter
 * (./streams.ts), and every result becomes outputs through the pure functions of
 * ./outputs.ts. What is left here is wiring to the VS Code API.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NotebookHost } from '../../services/surfaceHost';
import type { ConsoleCell, ConsoleKernel, ConsoleOutcome } from '../contracts';
import type { DisplayData, OutputStream, PyProcess } from '../../engine/types';
import { transformMagics } from './magics';
import { isPythonNotebook } from './metadata';
import {
  errorOutput,
  readDisplay,
  richOutput,
  streamItem,
  suppressesResult,
  type CellSource,
  type OutputItemSpec,
  type OutputSpec,
} from './outputs';
import { CellQueue, type CellJob } from './queue';
import { CellOutputWriter, type OutputOp, type OverflowFile } from './streams';

export const CONTROLLER_ID = 'pyContexts.notebook';
export const CONTROLLER_LABEL = 'Py Contexts (embedded Python)';
export const RESTART_COMMAND = 'pyContexts.notebook.restart';
export const CONSOLE_CONTROLLER_ID = 'pyContexts.console';
const NOTEBOOK_TYPE = 'jupyter-notebook';
/** VS Code's Interactive Window. */
export const INTERACTIVE_TYPE = 'interactive';
/** How long a restart waits for an interrupted cell to stop before it resets anyway. */
const RESTART_GRACE_MS = 5_000;

function toItem(spec: OutputItemSpec): vscode.NotebookCellOutputItem {
  if (spec.kind === 'error') {
    return vscode.NotebookCellOutputItem.error({ name: spec.name, message: spec.message, stack: spec.stack });
  }
  return new vscode.NotebookCellOutputItem(spec.data, spec.mime);
}

function toOutput(spec: OutputSpec): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput(spec.items.map(toItem), { ...spec.metadata });
}

function isDisplayData(value: unknown): value is DisplayData {
  return typeof value === 'object' && value !== null && typeof (value as { data?: unknown }).data === 'object';
}

/** The filename a cell's code is compiled under: tracebacks and linecache use it. */
export function cellFilename(cell: vscode.NotebookCell): string {
  return cell.document.uri.toString();
}

function notebookName(notebook: vscode.NotebookDocument): string {
  return path.basename(notebook.uri.path) || notebook.uri.toString();
}

/**
 * Applies a CellOutputWriter's ops to one cell execution: stream text joins the previous
 * output of its stream, display ids are remembered for update_display().
 */
export class ExecutionOutputs {
  private lastStream: vscode.NotebookCellOutput | undefined;
  /** Outputs shown with a display id in this run, for update_display(). */
  private readonly displays = new Map<string, vscode.NotebookCellOutput>();

  constructor(private readonly exec: vscode.NotebookCellExecution) {}

  async apply(op: OutputOp): Promise<void> {
    const exec = this.exec;
    if (op.kind === 'clear') {
      this.lastStream = undefined;
      this.displays.clear();
      await exec.clearOutput();
      return;
    }
    if (op.kind === 'rich') {
      if (op.update && op.displayId !== undefined) {
        const shown = this.displays.get(op.displayId);
        if (shown) await exec.replaceOutputItems(toOutput(op.output).items, shown);
        return;
      }
      this.lastStream = undefined;
      const output = toOutput(op.output);
      await exec.appendOutput(output);
      if (op.displayId !== undefined) this.displays.set(op.displayId, output);
      return;
    }
    const item = toItem(streamItem(op.stream, op.text));
    if (op.append && this.lastStream) {
      await exec.appendOutputItems(item, this.lastStream);
    } else {
      this.lastStream = new vscode.NotebookCellOutput([item], { outputType: 'stream' });
      await exec.appendOutput(this.lastStream);
    }
  }
}

/** One cell execution, as a job of its notebook's queue. */
class CellRun implements CellJob {
  private state: 'queued' | 'running' | 'done' = 'queued';
  private readonly outputs: ExecutionOutputs;
  private readonly subscription: vscode.Disposable;
  private writer: CellOutputWriter | undefined;
  private order: number | undefined;
  private startTime: number | undefined;
  private endTime: number | undefined;
  private ok: boolean | undefined;
  /** Output of threads after this run ended (see `late`). */
  private lateWriter: CellOutputWriter | undefined;
  private markFinished: () => void = () => undefined;
  private readonly finished = new Promise<void>((resolve) => (this.markFinished = resolve));

  constructor(
    private readonly session: NotebookSession,
    readonly cell: vscode.NotebookCell,
    private readonly execution: vscode.NotebookCellExecution,
  ) {
    this.outputs = new ExecutionOutputs(execution);
    // The stop button of a single cell arrives as a cancelled token.
    this.subscription = execution.token.onCancellationRequested(() => {
      if (this.state === 'queued') session.queue.cancel(this);
      else if (this.state === 'running') session.interruptRunning();
    });
  }

  skip(): void {
    if (this.state !== 'queued') return;
    this.state = 'done';
    this.subscription.dispose();
    try {
      // Ending without start() shows the cell as not run: no ✓, no ✗, no count.
      this.execution.end(undefined);
    } catch {
      // The notebook was closed meanwhile; there is nothing left to update.
    }
  }

  async run(): Promise<boolean> {
    if (this.state !== 'queued') return true;
    this.state = 'running';
    const exec = this.execution;
    this.startTime = Date.now();
    exec.start(this.startTime);
    let ok = false;
    // Past 1,000,000 characters the cell's output goes on in a file of the whole output.
    const writer = new CellOutputWriter((op) => this.apply(op), {
      overflow: () => this.session.fullOutputFile(`${notebookName(this.session.notebook)}-cell${this.cell.index + 1}`),
    });
    this.writer = writer;
    this.session.started(this);
    try {
      await exec.clearOutput();
      const order = this.session.nextExecutionCount();
      this.order = order;
      exec.executionOrder = order;
      this.session.flushUnplaced(writer);
      const source = this.cell.document.getText();
      const filename = cellFilename(this.cell);
      this.session.remember(filename, { executionCount: order, source });
      try {
        const proc = await this.session.process();
        // IPython syntax (!cmd, %magic) becomes plain Python line for line; tracebacks and
        // linecache still show the cell as written.
        const value = await proc.run(transformMagics(source), {
          rich: true,
          filename,
          firstLine: 1,
          sourceText: source,
          onOutput: (stream, text) => writer.write(stream, text),
          onDisplay: (data) => {
            const d = readDisplay(data);
            if (d.kind === 'clear') writer.clear(d.wait);
            else writer.display(richOutput(d.bundle, 'display_data'), d.displayId ? { displayId: d.displayId, update: d.update } : undefined);
          },
          onInput: (prompt, password) => this.session.input(prompt, password, writer),
        });
        // From here on, thread output waits for the end of this execution (see `late`).
        this.writer = undefined;
        await writer.close();
        if (isDisplayData(value) && !suppressesResult(source)) await exec.appendOutput(toOutput(richOutput(value, 'execute_result', order)));
        ok = true;
      } catch (err) {
        this.writer = undefined;
        await writer.close().catch(() => undefined);
        await exec.appendOutput(toOutput(errorOutput(err, (file) => this.session.cellSource(file))));
      }
    } catch {
      // Updating the outputs failed: the notebook was closed or the cell deleted while it
      // ran. The cell's own outcome no longer has anywhere to go.
      ok = false;
    } finally {
      this.state = 'done';
      this.subscription.dispose();
      this.ok = ok;
      this.endTime = Date.now();
      this.writer = undefined;
      try {
        exec.end(ok, this.endTime);
      } catch {
        // Same as above: the document is gone.
      }
      this.markFinished();
    }
    return ok;
  }

  /** Output of a thread of this notebook while this cell runs: it is this cell's output. */
  write(stream: OutputStream, text: string): boolean {
    if (!this.writer) return false;
    this.writer.write(stream, text);
    return true;
  }

  /**
   * Output of a thread after this cell, the last that ran, ended. As in Jupyter it is
   * appended to this cell, through a short execution that keeps the cell's count and state.
   */
  late(stream: OutputStream, text: string): void {
    this.lateWriter ??= new CellOutputWriter((op) => this.applyLate(op));
    this.lateWriter.write(stream, text);
  }

  private async applyLate(op: OutputOp): Promise<void> {
    if (op.kind !== 'stream') return;
    await this.finished;
    let exec: vscode.NotebookCellExecution;
    try {
      exec = this.session.temporaryExecution(this.cell);
    } catch {
      // The cell is queued or running again: the text goes to the next cell that runs.
      this.session.unplaced(op.stream, op.text);
      return;
    }
    if (this.order !== undefined) exec.executionOrder = this.order;
    exec.start(this.startTime ?? Date.now());
    try {
      const item = toItem(streamItem(op.stream, op.text));
      const outputs = this.cell.outputs;
      const last = outputs[outputs.length - 1];
      // Consecutive text of one stream stays one output, as Jupyter shows it.
      if (last && last.metadata?.['outputType'] === 'stream' && last.items.length > 0 && last.items.every((i) => i.mime === item.mime)) {
        await exec.appendOutputItems(item, last);
      } else {
        await exec.appendOutput(new vscode.NotebookCellOutput([item], { outputType: 'stream' }));
      }
    } finally {
      exec.end(this.ok, this.endTime ?? Date.now());
    }
  }

  private apply(op: OutputOp): Promise<void> {
    return this.outputs.apply(op);
  }
}

/** The state of one open notebook: its queue, its execution counter, its process. */
class NotebookSession {
  readonly queue = new CellQueue<CellRun>();
  private executionCount = 0;
  /** Cells that ran in the current environment, by filename, for tracebacks. */
  private readonly cells = new Map<string, CellSource>();
  private inputCancel: vscode.CancellationTokenSource | undefined;
  /** The cell that ran last (or runs now): where output of the notebook's threads goes. */
  private lastRun: CellRun | undefined;
  /** Thread output that found no cell to go to yet. */
  private pendingLate: { stream: OutputStream; text: string }[] = [];

  constructor(
    readonly notebook: vscode.NotebookDocument,
    private readonly host: NotebookHost,
    private readonly controller: vscode.NotebookController,
    /** The document whose process runs this notebook's cells (a console's editor; else itself). */
    private readonly owner: () => vscode.Uri,
  ) {}

  enqueue(cells: readonly vscode.NotebookCell[]): void {
    const runs: CellRun[] = [];
    for (const cell of cells) {
      try {
        runs.push(new CellRun(this, cell, this.controller.createNotebookCellExecution(cell)));
      } catch {
        // VS Code refuses a second execution for a cell that is already queued or running;
        // that cell will run once anyway.
      }
    }
    this.queue.enqueue(runs);
  }

  started(run: CellRun): void {
    this.lastRun = run;
  }

  /** Output of a thread whose run ended: to the running cell, else the cell that ran last. */
  background(stream: OutputStream, text: string): boolean {
    const last = this.lastRun;
    if (!last) return false;
    if (!last.write(stream, text)) last.late(stream, text);
    return true;
  }

  temporaryExecution(cell: vscode.NotebookCell): vscode.NotebookCellExecution {
    return this.controller.createNotebookCellExecution(cell);
  }

  unplaced(stream: OutputStream, text: string): void {
    this.pendingLate.push({ stream, text });
  }

  flushUnplaced(writer: CellOutputWriter): void {
    const pending = this.pendingLate;
    this.pendingLate = [];
    for (const p of pending) writer.write(p.stream, p.text);
  }

  fullOutputFile(label: string): OverflowFile {
    return this.host.output.fullOutputFile(label);
  }

  nextExecutionCount(): number {
    return ++this.executionCount;
  }

  remember(filename: string, source: CellSource): void {
    this.cells.set(filename, source);
  }

  cellSource(filename: string): CellSource | undefined {
    return this.cells.get(filename);
  }

  async process(): Promise<PyProcess> {
    const proc = await this.host.process(this.owner());
    if (this.notebook.uri.scheme === 'file') {
      // The Jupyter extension defines this name; some notebooks use it to find files next
      // to themselves (the process also starts in the notebook's folder). Set before every
      // cell (a few microseconds) because the environment may have been reset from the
      // Context Pool view meanwhile.
      await proc.exec(`__vsc_ipynb_file__ = ${JSON.stringify(this.notebook.uri.fsPath)}`);
    }
    return proc;
  }

  /** input() of a running cell: an input box that names the notebook. */
  async input(prompt: string, password: boolean, writer: CellOutputWriter): Promise<string | undefined> {
    const cts = new vscode.CancellationTokenSource();
    this.inputCancel = cts;
    try {
      const value = await vscode.window.showInputBox(
        {
          title: `Python input() in ${notebookName(this.notebook)}`,
          prompt: prompt || 'The running cell is waiting for input (Escape interrupts it).',
          password,
          ignoreFocusOut: true,
        },
        cts.token,
      );
      // Jupyter shows the prompt and the answer in the cell's output; so do we.
      if (value !== undefined) writer.write('stdout', `${prompt}${password ? '········' : value}\n`);
      return value;
    } finally {
      if (this.inputCancel === cts) this.inputCancel = undefined;
      cts.dispose();
    }
  }

  /**
   * Interrupts the running cell: KeyboardInterrupt in its code. A cell waiting in input()
   * is interrupted by closing the input box, which makes the engine raise it.
   */
  interruptRunning(): void {
    if (!this.queue.running) return;
    if (this.inputCancel) {
      this.inputCancel.cancel();
      return;
    }
    // Only this notebook's running cell: a call of another document on the same context is untouched.
    this.host.findProcess(this.owner())?.interrupt();
  }

  /** Stops everything and gives the notebook a fresh environment; counts start at 1 again. */
  async restart(): Promise<void> {
    this.queue.cancelPending();
    this.interruptRunning();
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      this.queue.whenIdle().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), RESTART_GRACE_MS))),
    ]);
    clearTimeout(timer);
    if (!stopped) {
      void vscode.window.showWarningMessage(
        `The running cell of ${notebookName(this.notebook)} did not stop; its environment is reset once it does. ` +
          'Restart its context in the Context Pool view to stop it now.',
      );
    }
    const proc = this.host.findProcess(this.owner());
    if (proc && !proc.closed) {
      await proc.reset();
      // A restarted Jupyter kernel starts in the notebook's folder again, whatever %cd did.
      // (Where directories are shared, chdir rejects and nothing changes.)
      if (this.notebook.uri.scheme === 'file') await proc.chdir(path.dirname(this.notebook.uri.fsPath)).catch(() => undefined);
    }
    this.executionCount = 0;
    this.cells.clear();
  }

  dispose(): void {
    this.queue.cancelPending();
    this.interruptRunning();
  }
}

function notebookFromArg(arg: unknown): vscode.NotebookDocument | undefined {
  let uri: vscode.Uri | undefined;
  if (arg instanceof vscode.Uri) {
    uri = arg;
  } else if (typeof arg === 'object' && arg !== null) {
    // The notebook toolbar passes { notebookEditor: { notebookUri } }.
    const candidate = (arg as { notebookEditor?: { notebookUri?: unknown } }).notebookEditor?.notebookUri;
    if (candidate instanceof vscode.Uri) uri = candidate;
  }
  uri ??= vscode.window.activeNotebookEditor?.notebook.uri;
  const key = uri?.toString();
  return vscode.workspace.notebookDocuments.find((nb) => nb.uri.toString() === key);
}

/** One cell a console shows for code run from an editor (see ConsoleKernel). */
class ConsoleCellRun implements ConsoleCell {
  private readonly writer: CellOutputWriter;

  constructor(
    private readonly exec: vscode.NotebookCellExecution,
    private readonly order: number,
    overflow: () => OverflowFile,
  ) {
    const outputs = new ExecutionOutputs(exec);
    this.writer = new CellOutputWriter((op) => outputs.apply(op), { overflow });
  }

  output(stream: OutputStream, text: string): void {
    this.writer.write(stream, text);
  }

  display(data: DisplayData): void {
    const d = readDisplay(data);
    if (d.kind === 'clear') this.writer.clear(d.wait);
    else this.writer.display(richOutput(d.bundle, 'display_data'), d.displayId ? { displayId: d.displayId, update: d.update } : undefined);
  }

  async end(outcome: ConsoleOutcome): Promise<void> {
    try {
      await this.writer.close();
      if (outcome.ok && outcome.value) await this.exec.appendOutput(toOutput(richOutput(outcome.value, 'execute_result', this.order)));
      // Frames in the editor's file keep their `File path:line` form, which links to the line.
      if (!outcome.ok) await this.exec.appendOutput(toOutput(errorOutput(outcome.error, () => undefined)));
    } catch {
      // The console was closed while the code ran; the editor still shows the outcome.
    } finally {
      try {
        this.exec.end(outcome.ok, Date.now());
      } catch {
        // Same: the console is gone.
      }
    }
  }
}

export interface NotebookControllers extends vscode.Disposable {
  /** Shows runs of editors in consoles (interactive windows run by our controller). */
  readonly console: ConsoleKernel;
}

/**
 * Creates the controller "Py Contexts (embedded Python)" for Jupyter notebooks and the
 * notebook restart command. Everything is released by disposing the result.
 */
export function registerNotebookController(host: NotebookHost, ownerOf: (notebook: vscode.Uri) => vscode.Uri = (u) => u): NotebookControllers {
  const controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, CONTROLLER_LABEL);
  // The same engine also runs VS Code's Interactive Window (our console, src/surfaces/console).
  const consoleController = vscode.notebooks.createNotebookController(CONSOLE_CONTROLLER_ID, INTERACTIVE_TYPE, CONTROLLER_LABEL);
  for (const c of [controller, consoleController]) {
    c.supportedLanguages = ['python'];
    c.supportsExecutionOrder = true;
    c.description = 'No kernel process';
    c.detail = 'Runs cells in the Python embedded in the extension host, one environment per notebook.';
  }

  const sessions = new Map<string, NotebookSession>();
  const sessionOf = (notebook: vscode.NotebookDocument): NotebookSession => {
    const key = notebook.uri.toString();
    let session = sessions.get(key);
    if (!session) {
      const c = notebook.notebookType === INTERACTIVE_TYPE ? consoleController : controller;
      session = new NotebookSession(notebook, host, c, () => ownerOf(notebook.uri));
      sessions.set(key, session);
    }
    return session;
  };

  for (const c of [controller, consoleController]) {
    c.executeHandler = (cells, notebook) => {
      sessionOf(notebook).enqueue(cells);
    };
    c.interruptHandler = (notebook) => {
      sessions.get(notebook.uri.toString())?.interruptRunning();
    };
  }

  const consoleKernel: ConsoleKernel = {
    async append(notebook, code, metadata) {
      const edit = new vscode.WorkspaceEdit();
      const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, code, 'python');
      cell.metadata = metadata;
      const index = notebook.cellCount;
      edit.set(notebook.uri, [vscode.NotebookEdit.insertCells(index, [cell])]);
      if (!(await vscode.workspace.applyEdit(edit))) throw new Error('the console did not take the cell');
      const session = sessionOf(notebook);
      const exec = consoleController.createNotebookCellExecution(notebook.cellAt(index));
      const order = session.nextExecutionCount();
      exec.executionOrder = order;
      exec.start(Date.now());
      return new ConsoleCellRun(exec, order, () => session.fullOutputFile(`${notebookName(notebook)}-cell${index + 1}`));
    },
  };

  const preferIfPython = (notebook: vscode.NotebookDocument): void => {
    if (notebook.notebookType === NOTEBOOK_TYPE && isPythonNotebook(notebook.metadata)) {
      controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
    }
  };
  vscode.workspace.notebookDocuments.forEach(preferIfPython);

  const disposable = vscode.Disposable.from(
    controller,
    consoleController,
    vscode.workspace.onDidOpenNotebookDocument(preferIfPython),
    vscode.workspace.onDidCloseNotebookDocument((notebook) => {
      // The host closes the notebook's process; here only the queue and counters go.
      const key = notebook.uri.toString();
      sessions.get(key)?.dispose();
      sessions.delete(key);
    }),
    // Output of a notebook's threads after the run that started them ended.
    host.claimBackgroundOutput((uri, stream, text) => sessions.get(uri.toString())?.background(stream, text) ?? false),
    vscode.commands.registerCommand(RESTART_COMMAND, async (arg?: unknown) => {
      const notebook = notebookFromArg(arg);
      if (!notebook) {
        void vscode.window.showInformationMessage('Open a notebook to restart its Python environment.');
        return;
      }
      await sessionOf(notebook).restart();
    }),
    { dispose: () => sessions.forEach((s) => s.dispose()) },
  );
  return { dispose: () => disposable.dispose(), console: consoleKernel };
}
