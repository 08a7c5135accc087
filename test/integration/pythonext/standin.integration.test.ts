// The Python extension's selected interpreter, read through its public API
// (@vscode/python-extension). The real ms-python.python cannot be installed offline, so this
// session installs a STAND-IN with the same id and API shape (test/fixtures/python-extension-standin,
// packed and installed by scripts/integration.mjs). It selects PY_CONTEXTS_STANDIN_PYTHON
// (a cached 3.13t where there is one), which is not python3 on PATH, so the engine can only
// have started with it by asking the Python extension.
//
// Only one libpython can be loaded per extension host: every test in this session relies on
// the engine having started with the stand-in's first selection.
import { PVSC_EXTENSION_ID, PythonExtension } from '@vscode/python-extension';
import * as assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/surfaces/contextTree/provider';
import { api, ok, pythonEditor, runLines } from '../_extension';
import { closeAllEditors, screenshot, session, waitFor, workspaceRoot } from '../_helpers';

const selected = process.env['PY_CONTEXTS_STANDIN_PYTHON'] ?? '';
const other = process.env['PY_CONTEXTS_STANDIN_OTHER'];

describe('Python extension stand-in: the selected interpreter', () => {
  const shown: { message: string; items: string[] }[] = [];
  const errors: { message: string; items: string[] }[] = [];
  const window = vscode.window as {
    showInformationMessage: (...args: unknown[]) => Thenable<unknown>;
    showErrorMessage: (...args: unknown[]) => Thenable<unknown>;
  };
  const originalInfo = window.showInformationMessage;
  const originalError = window.showErrorMessage;
  const record = (into: typeof shown) => (message: unknown, ...items: unknown[]) => {
    into.push({ message: String(message), items: items.filter((i): i is string => typeof i === 'string') });
    return Promise.resolve(undefined);
  };

  before(() => {
    // Record notifications and answer none of them: "Reload Window" must never be picked here.
    window.showInformationMessage = record(shown);
    window.showErrorMessage = record(errors);
  });
  after(async () => {
    window.showInformationMessage = originalInfo;
    window.showErrorMessage = originalError;
    await vscode.workspace.getConfiguration('pyContexts').update('pythonPath', undefined, vscode.ConfigurationTarget.Global);
    await closeAllEditors();
  });

  it('runs in the pythonext session, with the stand-in installed as ms-python.python', () => {
    assert.equal(session(), 'pythonext');
    assert.ok(selected, 'PY_CONTEXTS_STANDIN_PYTHON is set by scripts/integration.mjs');
    const ext = vscode.extensions.getExtension(PVSC_EXTENSION_ID);
    assert.ok(ext, 'ms-python.python is installed');
    assert.match(String((ext.packageJSON as { displayName?: string }).displayName), /STAND-IN/);
  });

  // A missing file is refused before any libpython is loaded, so the same host can still start
  // the good selection afterwards.
  it('a bad selection gives one notification with the fix, and a new selection is tried next time', async () => {
    const a = await api();
    const pyext = await PythonExtension.api();
    await pyext.environments.updateActiveEnvironmentPath('/nonexistent/py-contexts/bin/python3', workspaceRoot());
    const editor = await pythonEditor('pythonext/bad.py', '1 + 1\n');
    const r = await runLines(editor, 1);
    assert.equal(r?.ok, false);
    assert.equal(a._test.engineState(), 'failed');
    const note = await waitFor(() => errors[0], { message: 'the error notification' });
    assert.match(note.message, /Python could not start\. No Python at '\/nonexistent\/py-contexts\/bin\/python3'/);
    assert.match(note.message, /select another one there, or set pyContexts\.pythonPath/);
    assert.deepEqual(note.items, ['Open Settings', 'Select Interpreter', 'Show Output']);
    // Selecting again (here: the stand-in's first choice) clears the failure without a reload.
    await pyext.environments.updateActiveEnvironmentPath(selected, workspaceRoot());
    await waitFor(() => a._test.engineState() === 'idle', { message: 'the failed state to clear' });
    assert.equal(errors.length, 1);
    assert.deepEqual(shown, []);
  });

  it("starts Python with the interpreter the Python extension selected for the document's folder", async () => {
    const a = await api();
    assert.equal(a._test.engineState(), 'idle', 'nothing in this session may have started Python before this test');
    const editor = await pythonEditor('pythonext/which.py', 'import sys\n[sys.executable, sys.version]\n');
    ok(await runLines(editor, 1, 2));
    const proc = a.processFor(editor.document.uri);
    assert.ok(proc, 'the run made a process for the document');
    const [executable, version] = (await proc.eval('[sys.executable, sys.version]')) as [string, string];
    assert.equal(realpathSync(executable), realpathSync(selected));
    const py = await a.python();
    assert.equal(realpathSync(py.interpreter.executable), realpathSync(selected));
    assert.equal(py.interpreter.freeThreaded, /free-threading build/.test(version));
    assert.ok(version.startsWith(py.interpreter.version), `${version} vs ${py.interpreter.version}`);

    // It asked about the document that started Python (the Python extension maps it to its folder).
    const standin = (await PythonExtension.api()) as unknown as { _standin: { requests: string[] } };
    assert.ok(standin._standin.requests.includes(editor.document.uri.toString()), standin._standin.requests.join('\n'));
    assert.match(a._test.outputText(), /started from .* \(chosen by the interpreter selected in the Python extension\)/);

    // The tree's first row and the status bar tooltip name it: version, path, free-threaded or not.
    const roots = ((await a._test.tree.provider.getChildren(undefined)) ?? []) as TreeNode[];
    const head = a._test.tree.provider.getTreeItem(roots[0]!) as vscode.TreeItem;
    const title = `Python ${py.interpreter.version}${py.interpreter.freeThreaded ? ' (free-threaded)' : ''}`;
    assert.equal(head.label, title);
    assert.equal(head.description, py.interpreter.executable);
    assert.match(String(head.tooltip), py.interpreter.freeThreaded ? /free-threaded: contexts run Python in parallel/ : /with the GIL/);
    assert.match(String(head.tooltip), /Chosen by the interpreter selected in the Python extension/);
    assert.deepEqual(roots.slice(1).map((r) => r.kind), ['pool', 'sharedState']);
    const status = await waitFor(() => {
      const s = a._test.statusItem();
      return s.tooltip.includes(py.interpreter.executable) ? s : undefined;
    }, { message: 'the status bar tooltip to name the interpreter' });
    assert.ok(status.tooltip.includes(title), status.tooltip);
    await vscode.commands.executeCommand('pyContexts.contextPool.focus');
    await screenshot('pythonext-interpreter');
  });

  it('says nothing when the selection is set again to the same interpreter', async () => {
    const a = await api();
    const before = a._test.outputText().split('nothing to restart').length;
    const pyext = await PythonExtension.api();
    await pyext.environments.updateActiveEnvironmentPath(selected, workspaceRoot());
    await waitFor(() => a._test.outputText().split('nothing to restart').length > before, { message: 'the change to be checked' });
    assert.deepEqual(shown.filter((s) => /Restart Python/.test(s.message)), []);
  });

  it('offers "Restart Python with X" (a window reload) when another interpreter is selected', async () => {
    if (!other) {
      // The matrix always has Debian's and pyenv's python3 here; say so loudly if not.
      throw new Error('PY_CONTEXTS_STANDIN_OTHER is unset: no second interpreter to switch to');
    }
    const a = await api();
    const pyext = await PythonExtension.api();
    await pyext.environments.updateActiveEnvironmentPath(other, workspaceRoot());
    const prompt = await waitFor(() => shown.find((s) => /Restart Python with/.test(s.message)), { message: 'the restart prompt' });
    assert.ok(prompt.message.includes(`Restart Python with Python `), prompt.message);
    assert.ok(prompt.message.includes(` at ${other}?`), prompt.message);
    assert.match(prompt.message, /chosen by the interpreter selected in the Python extension/);
    assert.deepEqual(prompt.items, ['Reload Window']);
    // Nothing was switched: the running engine is untouched until the window reloads.
    assert.equal(realpathSync((await a.python()).interpreter.executable), realpathSync(selected));
  });

  it('offers no restart when the Python extension stops answering; the time-box ends the wait', async () => {
    const a = await api();
    const prompts = shown.length;
    const pyext = await PythonExtension.api();
    const started = Date.now();
    await pyext.environments.updateActiveEnvironmentPath('/stand-in/never-answers/python3', workspaceRoot());
    await waitFor(() => /did not answer; .* keeps running, nothing to restart/.test(a._test.outputText()), { timeoutMs: 30_000, message: 'the time-boxed check' });
    assert.ok(Date.now() - started >= 9_000, 'it waited for the time-box');
    assert.equal(shown.length, prompts);
    assert.equal(a._test.engineState(), 'ready');
  });

  it('offers the restart for a pythonPath setting that names another interpreter, and not for the running one', async () => {
    const a = await api();
    const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('pyContexts');
    const target = other ?? '/usr/bin/python3';
    await config().update('pythonPath', target, vscode.ConfigurationTarget.Global);
    const prompt = await waitFor(() => shown.find((s) => s.message.includes(`Restart Python with ${target}?`)), { message: 'the restart prompt for the setting' });
    assert.match(prompt.message, /chosen by the pyContexts\.pythonPath setting/);
    assert.deepEqual(prompt.items, ['Reload Window']);
    const prompts = shown.length;
    const checks = a._test.outputText().split('nothing to restart').length;
    // The setting naming the running interpreter wins over the Python extension, and is the same: no prompt.
    await config().update('pythonPath', (await a.python()).interpreter.executable, vscode.ConfigurationTarget.Global);
    await waitFor(() => a._test.outputText().split('nothing to restart').length > checks, { message: 'the setting change to be checked' });
    assert.equal(shown.length, prompts);
  });
});
