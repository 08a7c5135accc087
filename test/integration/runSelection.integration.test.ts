// Run selection in a real editor: a line, a multi-line def found with Python's ast, the
// cursor moving on, dedented selections, inline results, the output channel, tracebacks
// with the real file and line, `# %%` cells.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, cursorAt, live, ok, pythonEditor, runLines, runSelection } from './_extension';
import { assertScreenshot, closeAllEditors, screenshot, waitFor } from './_helpers';

const SOURCE = [
  'x = 41', //                      1
  'x + 1', //                       2
  '', //                            3
  'def double(a):', //              4
  '    b = a * 2', //               5
  '    return b', //                6
  '', //                            7
  'double(21)', //                  8
  'print("hello from", "rs")', //   9
  'for i in range(2):', //          10
  '    print("loop", i)', //        11
  '', //                            12
].join('\n');

describe('run selection', () => {
  let editor: vscode.TextEditor;

  before(async () => {
    editor = await pythonEditor('runsel/demo.py', SOURCE);
  });
  after(closeAllEditors);

  it('runs the current line and shows the value inline at its end', async () => {
    const a = await api();
    cursorAt(editor, 1);
    assert.equal(ok(await runSelection(editor)), undefined);
    assert.equal(live(editor).selection.active.line, 1, 'the cursor moves to the next statement');
    assert.equal(ok(await runSelection(editor)), '42');
    const mark = a._test.marks(editor.document.uri).find((m) => m.line === 1);
    assert.ok(mark, 'no inline result on line 2');
    assert.equal(mark.kind, 'result');
    assert.equal(mark.text, '→ 42');
  });

  it('runs a whole multi-line def from its first line, then the call', async () => {
    const a = await api();
    cursorAt(editor, 4);
    const r = await runSelection(editor);
    ok(r);
    assert.deepEqual(r && { first: r.block?.firstLine, last: r.block?.lastLine }, { first: 4, last: 6 });
    assert.equal(live(editor).selection.active.line, 7, 'the cursor moves past the def to line 8');
    assert.equal(ok(await runSelection(editor)), '42');
    assert.ok(a._test.marks(editor.document.uri).some((m) => m.line === 7 && m.text === '→ 42'));
    assert.ok(a._test.marks(editor.document.uri).some((m) => m.line === 5 && m.text === '✓'), 'a def shows a check mark at its last line');
  });

  it('streams print output into the output channel, tagged with the document', async () => {
    const a = await api();
    cursorAt(editor, 9);
    ok(await runSelection(editor));
    await waitFor(() => a._test.outputText().includes('[demo.py] hello from rs'), { message: 'tagged output line' });
    cursorAt(editor, 10);
    ok(await runSelection(editor));
    await waitFor(() => a._test.outputText().includes('[demo.py] loop 0\n[demo.py] loop 1'), { message: 'loop output' });
  });

  it('dedents an indented selection and keeps the real line numbers', async () => {
    const r = await runLines(editor, 5, 6);
    // `return` outside a function: the SyntaxError must name line 6 of this file.
    assert.ok(r && !r.ok);
    const a = await api();
    await waitFor(() => a._test.outputText().includes(`File "${editor.document.uri.fsPath}", line 6`), { message: 'SyntaxError at line 6' });
    const a2 = await runLines(editor, 5, 5);
    assert.ok(a2 && !a2.ok && /NameError/.test(a2.error), 'line 5 alone needs `a`, which is not defined');
  });

  it('clears an inline result when its line is edited', async () => {
    const a = await api();
    cursorAt(editor, 2);
    ok(await runSelection(editor));
    assert.ok(a._test.marks(editor.document.uri).some((m) => m.line === 1));
    await editor.edit((e) => e.insert(new vscode.Position(1, 5), ' '));
    assert.ok(!a._test.marks(editor.document.uri).some((m) => m.line === 1), 'the mark survived an edit of its line');
    await vscode.commands.executeCommand('undo');
  });

  it('reports a traceback at the real file line, with a red marker there', async () => {
    const a = await api();
    const failing = await pythonEditor('runsel/failing.py', ['import inspect', '', 'def g():', '    return 1 / 0', '', 'g()', ''].join('\n'));
    const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('pyContexts.runFile', failing.document.uri);
    assert.ok(r && !r.ok && /ZeroDivisionError/.test(r.error ?? ''));
    const path = failing.document.uri.fsPath;
    await waitFor(() => a._test.outputText().includes(`File "${path}", line 4, in g`), { message: 'traceback with the real line' });
    assert.ok(a._test.outputText().includes(`at ${path}:4 in g`), 'no path:line location');
    // The output channel is a document with the `output` scheme; our link provider makes
    // each `File "…", line N` a link to that line.
    await vscode.commands.executeCommand('pyContexts.showOutput');
    const channel = await waitFor(
      () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.getText().includes(`File "${path}", line 4`)),
      { message: 'the output channel document' },
    );
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', channel.uri);
    const targets = links.map((l) => l.target?.toString() ?? '');
    assert.ok(targets.includes(vscode.Uri.file(path).with({ fragment: 'L4' }).toString()), targets.join('\n'));
    const mark = a._test.marks(failing.document.uri).find((m) => m.kind === 'error');
    assert.ok(mark, 'no error marker');
    assert.equal(mark.line, 3, 'the marker sits on `return 1 / 0` (line 4)');
    assert.match(mark.text, /ZeroDivisionError: division by zero/);
    await screenshot('run-selection-error');
    // inspect finds the real source because the whole file is registered with linecache.
    await failing.edit((e) => e.insert(new vscode.Position(6, 0), 'inspect.getsource(g)\n'));
    cursorAt(failing, 7);
    assert.equal(ok(await runSelection(failing)), "'def g():\\n    return 1 / 0\\n'");
    await failing.document.save();
  });

  it('runs `# %%` cells and the cells above', async () => {
    const cells = await pythonEditor(
      'runsel/cells.py',
      ['# %% first', 'a = 1', '', '# %% second', 'b = a + 1', 'b * 10', '', '# %% [markdown]', '# prose', '# %% third', 'a + b', ''].join('\n'),
    );
    const uri = cells.document.uri;
    const r1 = await vscode.commands.executeCommand<{ ok: boolean; value?: unknown }>('pyContexts.runAbove', uri, 9);
    assert.deepEqual(r1 && { ok: r1.ok, value: r1.value }, { ok: true, value: { repr: '20', type: 'int', truncated: false } });
    const r2 = await vscode.commands.executeCommand<{ ok: boolean; value?: unknown }>('pyContexts.runCell', uri, 9);
    assert.deepEqual(r2 && { ok: r2.ok, value: r2.value }, { ok: true, value: { repr: '3', type: 'int', truncated: false } });
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const titles = lenses.map((l) => `${l.range.start.line}:${l.command?.title ?? ''}`).sort();
    assert.deepEqual(titles, ['0:$(play) Run Cell', '3:$(play) Run Cell', '3:Run Above', '9:$(play) Run Cell', '9:Run Above']);
  });

  it('answers input() from an input box, and Escape raises KeyboardInterrupt', async () => {
    const a = await api();
    const ed = await pythonEditor('runsel/ask.py', ['name = input("Name: ")', 'repr(name)', 'input("again: ")', ''].join('\n'));
    cursorAt(ed, 1);
    const first = runSelection(ed);
    let settled = false;
    void first.then(() => (settled = true));
    await waitFor(
      async () => {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return settled;
      },
      { intervalMs: 250, message: 'the input box to be accepted' },
    );
    ok(await first);
    cursorAt(ed, 2);
    assert.equal(ok(await runSelection(ed)), `"''"`, 'the repr of the str "\'\'"');
    cursorAt(ed, 3);
    const second = runSelection(ed);
    settled = false;
    void second.then(() => (settled = true));
    await waitFor(
      async () => {
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        return settled;
      },
      { intervalMs: 250, message: 'the input box to be cancelled' },
    );
    const r = await second;
    assert.ok(r && !r.ok && /KeyboardInterrupt/.test(r.error), JSON.stringify(r));
    assert.ok(a._test.outputText().includes('KeyboardInterrupt'));
  });

  it('shows no inline results when pyContexts.runSelection.inlineResults is off', async () => {
    const a = await api();
    const config = vscode.workspace.getConfiguration('pyContexts');
    await config.update('runSelection.inlineResults', false, vscode.ConfigurationTarget.Global);
    try {
      const ed = await pythonEditor('runsel/quiet.py', '6 * 7\n1 / 0\n');
      cursorAt(ed, 1);
      assert.equal(ok(await runSelection(ed)), '42');
      assert.equal(a._test.marks(ed.document.uri).length, 0);
      cursorAt(ed, 2);
      await runSelection(ed);
      assert.deepEqual(a._test.marks(ed.document.uri).map((m) => m.kind), ['error'], 'errors are still marked');
    } finally {
      await config.update('runSelection.inlineResults', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('shows the result inline in the editor (screenshot)', async () => {
    const a = await api();
    await vscode.window.showTextDocument(editor.document, { viewColumn: vscode.ViewColumn.One });
    cursorAt(editor, 4);
    ok(await runSelection(editor));
    ok(await runSelection(editor));
    cursorAt(editor, 2);
    ok(await runSelection(editor));
    cursorAt(editor, 9);
    ok(await runSelection(editor));
    const marks = a._test.marks(editor.document.uri).map((m) => `${m.line + 1}:${m.text}`);
    for (const want of ['2:→ 42', '6:✓', '8:→ 42', '9:✓']) assert.ok(marks.includes(want), `${want} missing from ${marks.join(', ')}`);
    // print() returns None, which shows as a check mark, as the REPL prints nothing for it.
    const file = await screenshot('run-selection');
    assertScreenshot(file);
  });
});
