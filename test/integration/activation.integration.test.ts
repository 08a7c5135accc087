// Activation and the lazily started engine: opening a Python file activates the extension
// without starting CPython; the first run starts it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, cursorAt, ok, pythonEditor, runSelection } from './_extension';
import { closeAllEditors, extension, waitFor } from './_helpers';

describe('activation', () => {
  after(closeAllEditors);

  it('activates on a Python file without starting Python', async () => {
    await pythonEditor('activation/first.py', 'value = 6 * 7\nvalue\n');
    await waitFor(() => extension().isActive, { message: 'the extension to activate on a Python file' });
    const a = await api();
    assert.equal(a._test.engineState(), 'idle', 'Python started at activation');
    assert.equal(a.processFor(vscode.window.activeTextEditor!.document.uri), undefined);
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['pyContexts.runSelection', 'pyContexts.bindToContext', 'pyContexts.restartContext', 'pyContexts.showOutput']) {
      assert.ok(commands.includes(id), `${id} is not registered`);
    }
  });

  it('starts Python on the first run and keeps it', async () => {
    const a = await api();
    const editor = vscode.window.activeTextEditor!;
    cursorAt(editor, 1);
    ok(await runSelection(editor));
    assert.equal(a._test.engineState(), 'ready');
    const python = await a.python();
    assert.match(python.version, /^3\.\d+/);
    assert.deepEqual(python.pools(), ['default']);
    assert.equal(python.numContexts('default'), 2, 'pyContexts.pools defaults to {"default": 2}');
    const proc = a.processFor(editor.document.uri);
    assert.ok(proc, 'the document has a process after running');
    assert.equal(proc.id, editor.document.uri.toString());
    assert.equal(await a.python(), python, 'python() returns the same engine');
  });
});
