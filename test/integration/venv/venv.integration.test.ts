// pyContexts.pythonPath pointing at a venv (scripts/integration.mjs makes it for this session,
// with a package only the venv has): the engine runs that venv, with its site-packages.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, cursorAt, ok, pythonEditor, runSelection } from '../_extension';
import { closeAllEditors } from '../_helpers';

describe('pyContexts.pythonPath set to a venv', () => {
  after(closeAllEditors);

  it('runs the venv: its package imports from run selection, and sys.prefix is the venv', async () => {
    const configured = vscode.workspace.getConfiguration('pyContexts').get<string>('pythonPath') ?? '';
    assert.match(configured, /[\\/]venv[\\/]bin[\\/]python3$/, 'the session set pythonPath to its venv');
    const venv = configured.replace(/[\\/]bin[\\/]python3$/, '');
    const ed = await pythonEditor('venv/uses_pkg.py', ['import sys, venv_only_pkg', 'venv_only_pkg.WHERE', 'sys.prefix', 'sys.prefix != sys.base_prefix', ''].join('\n'));
    cursorAt(ed, 1);
    ok(await runSelection(ed));
    const where = ok(await runSelection(ed)) ?? '';
    assert.ok(where.includes(`${venv}/lib/`), `venv_only_pkg comes from the venv: ${where}`);
    assert.equal(ok(await runSelection(ed)), `'${venv}'`);
    assert.equal(ok(await runSelection(ed)), 'True');
    const py = await (await api()).python();
    assert.equal(py.interpreter.executable, configured);
  });
});
