// The notebook controller in a real VS Code: Run All, outputs and their MIME types, the
// queue, interrupts, errors, input(), restart, closing, saving, and rich outputs from the
// real numpy/pandas/matplotlib of the Python the engine embeds (Debian's /usr/bin/python3
// in CI). A missing library fails these tests; it never skips them.
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, screenshot, sleep, waitFor, workspaceFile, type PyContextsApi } from './_helpers';
import { closeNotebooks, codeCells, dump, error, finished, item, mimes, openNotebook, run, STDOUT_MIME, streamText, text, writeNotebook } from './_notebooks';

const STDERR_MIME = 'application/vnd.code.notebook.stderr';
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

const fixtures = join(process.env['PY_CONTEXTS_REPO'] ?? join(__dirname, '../../..'), 'test/fixtures/notebooks');

/** Copies a fixture notebook into the session's workspace (under notebooks/) and returns its uri. */
function fixture(name: string, as = name): vscode.Uri {
  const uri = workspaceFile(`notebooks/${as}`);
  mkdirSync(join(uri.fsPath, '..'), { recursive: true });
  copyFileSync(join(fixtures, name), uri.fsPath);
  return uri;
}

describe('notebook controller', function () {
  let py: PyContextsApi;

  before(async () => {
    py = await api();
  });
  afterEach(closeNotebooks);

  it('runs all cells in order: streams, display(), execute_result, a variable of cell 1 in cell 3', async () => {
    const doc = await openNotebook(fixture('basic.ipynb', 'run-all.ipynb'));
    await run(doc);
    const [c1, c2, c3, c5] = codeCells(doc) as [vscode.NotebookCell, vscode.NotebookCell, vscode.NotebookCell, vscode.NotebookCell];
    assert.deepEqual(
      codeCells(doc).map((c) => [c.executionSummary?.executionOrder, c.executionSummary?.success]),
      [[1, true], [2, true], [3, true], [4, true]],
    );
    assert.equal(streamText(c1), 'hello from cell 1\n');
    assert.deepEqual(c1.outputs.map((o) => o.metadata?.['outputType']), ['stream']);
    // stderr first, then the Markdown display, as the cell produced them.
    assert.deepEqual(mimes(c2), [[STDERR_MIME], ['text/markdown', 'text/plain']], dump(c2));
    assert.equal(streamText(c2, STDERR_MIME), 'to stderr\n');
    assert.equal(text(item(c2, 'text/markdown').data), '**bold** text');
    assert.equal(c2.outputs[1]?.metadata?.['outputType'], 'display_data');
    // x = 21 in cell 1, x * 2 in cell 3.
    assert.equal(text(item(c3, 'text/plain').data), '42');
    assert.deepEqual(c3.outputs[0]?.metadata, { outputType: 'execute_result', executionCount: 3, metadata: {} });
    // A trailing None shows nothing, like Jupyter.
    assert.deepEqual(mimes(c5), [[STDOUT_MIME]]);
    assert.equal(doc.cellAt(3).kind, vscode.NotebookCellKind.Markup);
    assert.equal(doc.cellAt(3).executionSummary?.executionOrder, undefined);
  });

  it('saves an .ipynb with the outputs and execution counts Jupyter would write', async () => {
    const uri = fixture('basic.ipynb', 'saved.ipynb');
    const doc = await openNotebook(uri);
    await run(doc);
    assert.ok(await doc.save(), 'save failed');
    const saved = JSON.parse(readFileSync(uri.fsPath, 'utf8')) as {
      cells: { cell_type: string; execution_count?: number | null; outputs?: Record<string, unknown>[] }[];
    };
    const code = saved.cells.filter((c) => c.cell_type === 'code');
    assert.deepEqual(code.map((c) => c.execution_count), [1, 2, 3, 4]);
    assert.deepEqual(code[0]?.outputs, [{ output_type: 'stream', name: 'stdout', text: ['hello from cell 1\n'] }]);
    assert.deepEqual(code[1]?.outputs?.[0], { output_type: 'stream', name: 'stderr', text: ['to stderr\n'] });
    const display = code[1]?.outputs?.[1] as { output_type: string; data: Record<string, unknown>; metadata: unknown };
    assert.equal(display.output_type, 'display_data');
    assert.deepEqual(display.data['text/markdown'], ['**bold** text']);
    assert.deepEqual(display.metadata, {});
    assert.deepEqual(code[2]?.outputs, [{ output_type: 'execute_result', execution_count: 3, data: { 'text/plain': ['42'] }, metadata: {} }]);
    assert.deepEqual(code[3]?.outputs, [{ output_type: 'stream', name: 'stdout', text: ['pi is 3.14\n'] }]);
  });

  it('keeps two notebooks isolated, each in its own process', async () => {
    const a = await openNotebook(writeNotebook('iso-a.ipynb', ["who = 'A'", 'who']));
    await run(a, [0]);
    const b = await openNotebook(writeNotebook('iso-b.ipynb', ["who = 'B'", 'who']));
    await run(b, [0]);
    await vscode.window.showNotebookDocument(a);
    await run(a, [1]);
    await vscode.window.showNotebookDocument(b);
    await run(b, [1]);
    assert.equal(text(item(a.cellAt(1), 'text/plain').data), "'A'");
    assert.equal(text(item(b.cellAt(1), 'text/plain').data), "'B'");
    const pa = py.processFor(a.uri);
    const pb = py.processFor(b.uri);
    assert.ok(pa && pb, 'each notebook has a process');
    assert.notEqual(pa.id, pb.id);
    // Execution counts are per notebook.
    assert.equal(b.cellAt(1).executionSummary?.executionOrder, 2);
  });

  it('interrupts `while True` from the notebook; the cells behind it are cancelled, later ones run', async () => {
    const doc = await openNotebook(fixture('interrupt.ipynb'));
    const [loop, after] = codeCells(doc) as [vscode.NotebookCell, vscode.NotebookCell];
    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 2 }], document: doc.uri });
    const proc = await waitFor(() => py.processFor(doc.uri), { message: 'the notebook process' });
    await waitFor(() => (proc.currentContext?.stats().busyForMs ?? 0) > 300, { message: 'the loop to be running' });
    await vscode.commands.executeCommand('notebook.cancelExecution');
    await waitFor(() => finished(loop), { message: 'the interrupted cell to end' });
    assert.equal(loop.executionSummary?.success, false);
    assert.equal(error(loop).name, 'KeyboardInterrupt');
    assert.match(error(loop).stack, /Cell In\[1\], line [23]/);
    // Wait until the context has nothing running or queued: had the cell behind been sent, it
    // would have run (and been summarized) by then.
    await waitFor(() => {
      const s = proc.currentContext?.stats();
      return !s || (!s.busy && s.queued === 0);
    }, { message: 'the context to go idle after the interrupt' });
    assert.equal(after.executionSummary?.success, undefined, 'the queued cell behind the interrupt did not run');
    await run(doc, [1]);
    assert.equal(text(item(after, 'text/plain').data), "'later cells still run'");
    assert.equal(after.executionSummary?.executionOrder, 2);
  });

  it('shows a matplotlib figure as image/png and a pandas DataFrame as text/html (screenshot for the README)', async () => {
    const doc = await openNotebook(fixture('rich.ipynb'));
    await run(doc);
    const [plot, frame] = codeCells(doc) as [vscode.NotebookCell, vscode.NotebookCell];
    assert.equal(plot.executionSummary?.success, true, `matplotlib/numpy cell failed:\n${dump(plot)}`);
    assert.equal(frame.executionSummary?.success, true, `pandas cell failed:\n${dump(frame)}`);
    const png = Buffer.from(item(plot, 'image/png').data);
    assert.ok(png.subarray(0, 4).equals(PNG_MAGIC), 'image/png holds PNG bytes');
    assert.ok(png.length > 5_000, `a real plot, not an empty image (${png.length} bytes)`);
    // The figure is display_data; the trailing `;` hides the Legend's repr, as in IPython.
    assert.deepEqual(plot.outputs.map((o) => o.metadata?.['outputType']), ['display_data']);
    assert.match(text(item(frame, 'text/html').data), /<table[\s\S]*<th>sin<\/th>/);
    assert.equal(frame.outputs[0]?.items[0]?.mime, 'text/html', 'html is preferred over text/plain');

    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await sleep(1500); // let the webview paint the outputs before the picture
    await screenshot('notebook-plot');
  });

  it('points an error at the failing cell lines, IPython style', async () => {
    const doc = await openNotebook(fixture('errors.ipynb'));
    await run(doc, [0]);
    await run(doc, [1]);
    const failing = doc.cellAt(1);
    assert.equal(failing.executionSummary?.success, false);
    const err = error(failing);
    assert.equal(err.name, 'ZeroDivisionError');
    assert.equal(err.message, 'float division by zero');
    assert.match(err.stack, /^Cell In\[2\], line 2$/m);
    assert.match(err.stack, /^----> 2 b = f\(a\)$/m);
    assert.match(err.stack, /^Cell In\[1\], line 3, in f\(\)$/m);
    assert.match(err.stack, /^----> 3     return half \/ 0$/m);
    assert.equal(failing.outputs[0]?.metadata?.['outputType'], 'error');

    await run(doc, [2]);
    const syntax = error(doc.cellAt(2));
    assert.equal(syntax.name, 'SyntaxError');
    assert.match(syntax.stack, /^Cell In\[3\], line 1$/m);
    assert.doesNotMatch(syntax.stack, /ast\.py/);
  });

  it('streams output live and answers input() from an input box; Escape raises KeyboardInterrupt', async () => {
    const doc = await openNotebook(
      writeNotebook('input.ipynb', ["print('before input')\nname = input('Name: ')\nprint('got', repr(name))", "input('again: ')"]),
    );
    const cell = doc.cellAt(0);
    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: doc.uri });
    // The cell is blocked in input(), so text seen now was streamed while it ran.
    await waitFor(() => streamText(cell).includes('before input'), { message: 'live stdout before input()' });
    assert.equal(finished(cell), false);
    await waitFor(
      async () => {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return finished(cell);
      },
      { intervalMs: 250, message: 'the input box to be accepted' },
    );
    assert.equal(cell.executionSummary?.success, true, dump(cell));
    assert.equal(streamText(cell), "before input\nName: \ngot ''\n");

    const second = doc.cellAt(1);
    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 1, end: 2 }], document: doc.uri });
    await waitFor(
      async () => {
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        return finished(second);
      },
      { intervalMs: 250, message: 'the input box to be cancelled' },
    );
    assert.equal(error(second).name, 'KeyboardInterrupt');
  });

  it('understands IPython syntax: !cmd runs in the notebook\'s folder, %time, %%markdown', async () => {
    const uri = writeNotebook('magics.ipynb', ['%matplotlib inline\n!pwd\nhere = __vsc_ipynb_file__', '%time 6 * 7', '%%markdown\n*from a cell magic*']);
    const doc = await openNotebook(uri);
    await run(doc);
    const [shell, timed, md] = codeCells(doc) as [vscode.NotebookCell, vscode.NotebookCell, vscode.NotebookCell];
    assert.equal(shell.executionSummary?.success, true, dump(shell));
    assert.equal(streamText(shell).trim(), join(uri.fsPath, '..'));
    assert.match(streamText(timed), /^CPU times: .*\nWall time: /);
    assert.equal(text(item(timed, 'text/plain').data), '42');
    assert.equal(text(item(md, 'text/markdown').data), '*from a cell magic*');
  });

  it('updates a display in place and clears output, like IPython.display', async () => {
    const doc = await openNotebook(
      writeNotebook('update.ipynb', [
        "from IPython.display import display, clear_output\nh = display('step 0', display_id=True)\nfor i in range(1, 4):\n    h.update(f'step {i}')\nprint('progress')",
        "print('old')\nclear_output(wait=True)\nprint('new')",
      ]),
    );
    await run(doc);
    const [updated, cleared] = codeCells(doc) as [vscode.NotebookCell, vscode.NotebookCell];
    assert.deepEqual(mimes(updated), [['text/plain'], [STDOUT_MIME]], dump(updated));
    assert.equal(text(item(updated, 'text/plain').data), "'step 3'");
    assert.deepEqual(updated.outputs[0]?.metadata, { outputType: 'display_data', metadata: {} });
    assert.equal(streamText(cleared), 'new\n');
  });

  it('truncates huge output with a note and stays responsive', async () => {
    const doc = await openNotebook(writeNotebook('flood.ipynb', ['for i in range(300_000):\n    print(i)', "'still fine'"]));
    await run(doc);
    const out = streamText(doc.cellAt(0));
    assert.match(out, /^0\n1\n2\n/);
    const note = /… \[output truncated: this cell printed more than 1,000,000 characters; the rest goes to the full output, (.+\.txt)\]\n… (\S+ \S+) more: open the full output (.+\.txt)\n$/.exec(out);
    assert.ok(note, out.slice(-400));
    assert.equal(note[1], note[3]);
    assert.equal(note[2], '989 KB', 'the 1,988,890 characters printed minus the 1,000,000 shown');
    assert.ok(out.length < 1_100_000, `kept ${out.length} characters`);
    // The file holds the cell's whole output: every number, in order.
    const lines = readFileSync(note[1] ?? '', 'utf8').split('\n');
    assert.equal(lines.length, 300_001);
    assert.deepEqual([lines[0], lines[299_999], lines[300_000]], ['0', '299999', '']);
    assert.equal(text(item(doc.cellAt(1), 'text/plain').data), "'still fine'");
  });

  it('restarts the notebook into a fresh environment, counts from 1 again', async () => {
    const doc = await openNotebook(writeNotebook('restart.ipynb', ['kept = 1', "'kept' in dir()"]));
    await run(doc);
    assert.equal(text(item(doc.cellAt(1), 'text/plain').data), 'True');
    await vscode.commands.executeCommand('pyContexts.notebook.restart', doc.uri);
    await run(doc, [1]);
    assert.equal(text(item(doc.cellAt(1), 'text/plain').data), 'False');
    assert.equal(doc.cellAt(1).executionSummary?.executionOrder, 1);
  });

  it('frees the environment when the notebook closes', async () => {
    const uri = writeNotebook('close.ipynb', ['big = list(range(1000))', 'len(big)']);
    const doc = await openNotebook(uri);
    await run(doc);
    const proc = py.processFor(uri);
    assert.ok(proc && !proc.closed, 'the notebook has a live process');
    await vscode.window.showNotebookDocument(doc);
    await closeNotebooks();
    await waitFor(() => proc.closed && py.processFor(uri) === undefined, { message: 'the process to close with the notebook' });
    assert.ok(existsSync(uri.fsPath));
  });
});
