// The console (VS Code's Interactive Window on our controller) and the Plots view, in a real
// extension host: a console opened from an editor shares the editor's variables both ways;
// a `# %%` cell with target "console" shows its figure there as a PNG; input() typed in the
// console; figures of a .py run in the Plots view, back and forward, saving a PNG.
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { api, ok, pythonEditor, runLines } from './_extension';
import { assertScreenshot, closeAllEditors, screenshot, waitFor, workspaceFile } from './_helpers';

const STDOUT = 'application/vnd.code.notebook.stdout';
const decoder = new TextDecoder();

function outputText(cell: vscode.NotebookCell, mime: string): string {
  return cell.outputs
    .flatMap((o) => o.items)
    .filter((i) => i.mime === mime)
    .map((i) => decoder.decode(i.data))
    .join('');
}

function mimes(cell: vscode.NotebookCell): string[] {
  return cell.outputs.flatMap((o) => o.items.map((i) => i.mime));
}

function dump(cell: vscode.NotebookCell): string {
  return JSON.stringify(cell.outputs.map((o) => o.items.map((i) => ({ mime: i.mime, text: decoder.decode(i.data).slice(0, 400) }))));
}

async function finished(cell: vscode.NotebookCell): Promise<void> {
  await waitFor(() => cell.executionSummary?.success !== undefined, { message: `console cell ${cell.index} to finish: ${dump(cell)}` });
}

/** The console's input box document (vscode-interactive-input:/InteractiveInput-N). */
async function inputBox(nb: vscode.NotebookDocument): Promise<vscode.TextDocument> {
  const n = /Interactive-(\d+)/.exec(nb.uri.path)?.[1];
  return waitFor(
    () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'vscode-interactive-input' && d.uri.path.endsWith(`/InteractiveInput-${n}`)),
    { message: `the input box of ${nb.uri.toString()}` },
  );
}

/** Types `code` into the console's input box and runs it as the user's Shift+Enter does; resolves with its cell. */
async function typeInConsole(nb: vscode.NotebookDocument, code: string): Promise<vscode.NotebookCell> {
  const input = await inputBox(nb);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(input.uri, new vscode.Range(0, 0, input.lineCount, 0), code);
  assert.ok(await vscode.workspace.applyEdit(edit));
  const before = nb.cellCount;
  // interactive.execute resolves only when the cell has run; input() tests answer meanwhile.
  void vscode.commands.executeCommand('interactive.execute', nb.uri);
  return waitFor(() => (nb.cellCount > before ? nb.cellAt(before) : undefined), { message: 'the typed code to become a console cell' });
}

/** The newest cell of a console, once there is one (the output channel says why there is none). */
async function lastCell(nb: vscode.NotebookDocument): Promise<vscode.NotebookCell> {
  const a = await api();
  try {
    return await waitFor(() => (nb.cellCount > 0 ? nb.cellAt(nb.cellCount - 1) : undefined), { timeoutMs: 60_000, message: 'the run as a console cell' });
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; output channel: ${a._test.outputText().slice(-800)}`);
  }
}

/** The console a document's runs went to. */
async function consoleOf(uri: vscode.Uri): Promise<string> {
  const a = await api();
  try {
    return await waitFor(() => a._test.consoles().forDocument(uri), { timeoutMs: 60_000, message: `a console for ${uri.path}` });
  } catch (e) {
    const open = vscode.workspace.notebookDocuments.map((n) => n.uri.toString()).join(', ');
    throw new Error(`${e instanceof Error ? e.message : String(e)}; notebooks: ${open}; output channel: ${a._test.outputText().slice(-800)}`);
  }
}

async function setTarget(target: 'inline' | 'console' | 'auto' | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('pyContexts').update('runSelection.target', target, vscode.ConfigurationTarget.Global);
}

describe('console', () => {
  after(async () => {
    await setTarget(undefined);
    await closeAllEditors();
  });

  it('opens from an editor and shares its variables both ways', async () => {
    const a = await api();
    await setTarget('inline');
    const editor = await pythonEditor('console/shared.py', 'from_editor = 41\nfrom_console + 1\n');
    assert.equal(ok(await runLines(editor, 1)), undefined);
    const nb = await vscode.commands.executeCommand<vscode.NotebookDocument | undefined>('pyContexts.openConsole');
    assert.ok(nb, 'Open Console returned no notebook');
    assert.equal(nb.notebookType, 'interactive');
    assert.equal(a._test.consoles().forDocument(editor.document.uri), nb.uri.toString());

    const cell = await typeInConsole(nb, 'from_console = from_editor + 1\nprint("console sees", from_editor)\nfrom_console');
    await finished(cell);
    assert.equal(cell.executionSummary?.success, true, dump(cell));
    assert.equal(outputText(cell, STDOUT), 'console sees 41\n');
    assert.equal(outputText(cell, 'text/plain'), '42');
    assert.equal(cell.executionSummary?.executionOrder, 1);

    // And back: the editor sees what the console defined.
    assert.equal(ok(await runLines(editor, 2)), '43');
    assert.equal(nb.cellCount, 1, 'with target "inline" the editor run stays out of the console');

    // Top-level await typed in the console, on the document's event loop (issue 15).
    const awaited = await typeInConsole(nb, 'import asyncio\nawait asyncio.sleep(0.01)\nawait asyncio.sleep(0, result=from_console + 1)');
    await finished(awaited);
    assert.equal(awaited.executionSummary?.success, true, dump(awaited));
    assert.equal(outputText(awaited, 'text/plain'), '43');
  });

  it('shows a # %% cell run with target "console" as a console cell with its figure as a PNG', async () => {
    const a = await api();
    await setTarget('console');
    const editor = await pythonEditor(
      'console/figure.py',
      ['# %% a figure', 'import matplotlib.pyplot as plt', 'print("plotting")', 'plt.plot([1, 3, 2])', 'plt.title("from a cell")', '1 + 1', ''].join('\n'),
    );
    await vscode.window.showTextDocument(editor.document, { viewColumn: vscode.ViewColumn.One });
    const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('pyContexts.runCell', editor.document.uri, 1);
    assert.ok(r?.ok, JSON.stringify(r));
    const key = await consoleOf(editor.document.uri);
    const nb = await waitFor(() => vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === key), { message: 'the console notebook' });
    const cell = await lastCell(nb);
    await finished(cell);
    assert.match(cell.document.getText(), /plt\.plot\(\[1, 3, 2\]\)/);
    assert.deepEqual(cell.metadata['interactive'], { file: editor.document.uri.toString(), line: 1 });
    assert.equal(outputText(cell, STDOUT), 'plotting\n');
    const png = cell.outputs.flatMap((o) => o.items).find((i) => i.mime === 'image/png');
    assert.ok(png, `no PNG in the console cell: ${JSON.stringify(mimes(cell))}`);
    assert.deepEqual([...png.data.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const result = cell.outputs.find((o) => o.metadata?.['outputType'] === 'execute_result');
    assert.equal(result && decoder.decode(result.items.find((i) => i.mime === 'text/plain')?.data), '2', dump(cell));
    // Inline results stay in the editor in every mode.
    assert.ok(a._test.marks(editor.document.uri).some((m) => m.text === '→ 2'));
    assertScreenshot(await screenshot('console'));
  });

  it('with target "auto", moves a run that printed a few lines at its end, and leaves a flood inline', async () => {
    const a = await api();
    await setTarget('auto');
    const editor = await pythonEditor('console/auto.py', 'for i in range(8): print("line", i)\nfor i in range(100_000): print("flood", i)\n');
    assert.equal(ok(await runLines(editor, 1)), undefined);
    const key = await consoleOf(editor.document.uri);
    const nb = await waitFor(() => vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === key), { message: 'the console notebook' });
    const cell = await lastCell(nb);
    await finished(cell);
    assert.equal(outputText(cell, STDOUT), Array.from({ length: 8 }, (_, i) => `line ${i}\n`).join(''));
    const cells = nb.cellCount;
    // About 1.3 MB of text: past the console's share, so it stays in the output channel.
    assert.equal(ok(await runLines(editor, 2)), undefined);
    assert.equal(nb.cellCount, cells, 'a flood must not move into the console');
    // The channel shows its first million characters and names the file that has all of it.
    assert.match(a._test.outputText(), /\[auto\.py\] flood \d+\n/);
    const file = a._test.fullOutputFiles().at(-1)?.path;
    assert.ok(file && /auto\.py/.test(file), `no full output file for auto.py: ${String(file)}`);
    await waitFor(() => readFileSync(file, 'utf8').endsWith('flood 99999\n'), { message: 'the full output file to end with the last line' });
  });

  it('shows an error of code sent from a file with the file\'s line', async () => {
    const a = await api();
    await setTarget('console');
    const editor = await pythonEditor('console/fails.py', 'x = 1\n1 / 0\n');
    const r = await runLines(editor, 2);
    assert.ok(r && !r.ok);
    const key = await consoleOf(editor.document.uri);
    const nb = await waitFor(() => vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === key));
    const cell = await lastCell(nb);
    await finished(cell);
    assert.equal(cell.executionSummary?.success, false);
    const err = cell.outputs.flatMap((o) => o.items).find((i) => i.mime === 'application/vnd.code.notebook.error');
    assert.ok(err, dump(cell));
    const stack = (JSON.parse(decoder.decode(err.data)) as { stack: string }).stack;
    assert.match(stack, new RegExp(`File ${editor.document.uri.fsPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2`));
    assert.ok(a._test.marks(editor.document.uri).some((m) => m.kind === 'error' && m.line === 1), 'the error marker stays in the editor');
  });

  it('answers input() typed in the console from an input box', async () => {
    await setTarget('inline');
    const editor = await pythonEditor('console/ask.py', 'pass\n');
    await vscode.window.showTextDocument(editor.document);
    const nb = await vscode.commands.executeCommand<vscode.NotebookDocument | undefined>('pyContexts.openConsole');
    assert.ok(nb);
    const cell = await typeInConsole(nb, "answer = input('Name: ')\nprint('hello', answer)");
    await waitFor(
      async () => {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return cell.executionSummary?.success !== undefined;
      },
      { intervalMs: 250, message: 'the input box to be accepted' },
    );
    assert.equal(cell.executionSummary?.success, true, dump(cell));
    assert.equal(outputText(cell, STDOUT), "Name: \nhello \n");
  });

  it('opens from a context of the tree in a fresh process bound to it', async () => {
    const a = await api();
    const python = await a.python();
    const ctx = python.context(1);
    const nb = await vscode.commands.executeCommand<vscode.NotebookDocument | undefined>('pyContexts.openConsole', { kind: 'context', ctx });
    assert.ok(nb);
    const proc = await waitFor(() => a.processFor(nb.uri), { message: 'the console\'s own process' });
    assert.equal(proc.boundContext?.id, ctx.id);
    const cell = await typeInConsole(nb, "'from_editor' in globals()");
    await finished(cell);
    assert.equal(outputText(cell, 'text/plain'), 'False', 'a fresh environment');
  });
});

describe('plots', () => {
  const saved = workspaceFile('plots/saved.png');

  after(async () => {
    rmSync(saved.fsPath, { force: true });
    await vscode.commands.executeCommand('pyContexts.plots.clear');
    await closeAllEditors();
  });

  it('shows figures of a .py run in the Plots view, with back, forward and Save as PNG', async () => {
    const a = await api();
    await setTarget('inline');
    await vscode.commands.executeCommand('pyContexts.plots.clear');
    const editor = await pythonEditor(
      'plots/two.py',
      [
        'import matplotlib.pyplot as plt',
        'plt.plot([1, 2, 3], [1, 4, 9])',
        'plt.title("first: shown")',
        'plt.show()',
        'plt.figure()',
        'plt.bar(["a", "b", "c"], [3, 1, 2])',
        'plt.title("second: left open")',
        '',
      ].join('\n'),
    );
    const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('pyContexts.runFile', editor.document.uri);
    assert.ok(r?.ok, JSON.stringify(r));
    await waitFor(() => a._test.plots().ids.length === 2, { message: `two plots, have ${a._test.plots().ids.length}` });
    const [first, second] = a._test.plots().ids;
    const current = a._test.plots().current;
    assert.equal(current?.id, second, 'the newest plot is shown');
    assert.equal(current?.mime, 'image/png');
    assert.ok(current?.figure, 'a figure kept for re-rendering');
    assert.equal(current?.source.uri, editor.document.uri.toString());
    // The page itself reports what it shows.
    const rendered = await waitFor(() => {
      const s = a._test.plots().rendered;
      return s && s.id === second && s.count === 2 && s.width > 0 ? s : undefined;
    }, { message: 'the Plots view to show the second plot' });
    assert.equal(rendered.index, 1);
    assertScreenshot(await screenshot('plots'));

    await vscode.commands.executeCommand('pyContexts.plots.previous');
    await waitFor(() => a._test.plots().rendered?.id === first, { message: 'back to the first plot' });
    assert.equal(a._test.plots().current?.id, first);
    await vscode.commands.executeCommand('pyContexts.plots.previous');
    assert.equal(a._test.plots().current?.id, first, 'back stops at the oldest');
    await vscode.commands.executeCommand('pyContexts.plots.next');
    await waitFor(() => a._test.plots().rendered?.id === second, { message: 'forward to the second plot' });

    const out = await vscode.commands.executeCommand<vscode.Uri | undefined>('pyContexts.plots.save', 'png', saved);
    assert.equal(out?.toString(), saved.toString());
    const bytes = readFileSync(saved.fsPath);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
    assert.equal(bytes.subarray(12, 16).toString('ascii'), 'IHDR');
    // Saved at the figure's own size (matplotlib's default 6.4×4.8 in at 100 dpi), not the pane's.
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [640, 480]);
  });
});
