// Restricted Mode and notebooks: Run All on a notebook with our controller selected asks VS Code
// for trust; the request is declined (smoke-test mode refuses every dialog), and nothing runs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PyContextsApi } from '../../../src/extension';
import { api as harnessApi, closeAllEditors, workspaceFile } from '../_helpers';
import { openNotebook, writeNotebook } from '../_notebooks';

describe('untrusted workspace: notebooks', () => {
  after(closeAllEditors);

  it('refuses to run a cell, and runs no Python', async () => {
    const a = (await harnessApi()) as unknown as PyContextsApi;
    assert.equal(vscode.workspace.isTrusted, false);
    const marker = workspaceFile('untrusted/nb-ran.txt');
    const nb = await openNotebook(writeNotebook('untrusted-attack.ipynb', [`open(${JSON.stringify(marker.fsPath)}, "w").write("ran")`]));
    // The command settles once the trust request is answered (here: declined).
    await Promise.resolve(vscode.commands.executeCommand('notebook.execute', nb.uri)).catch(() => undefined);
    const cell = nb.cellAt(0);
    assert.equal(cell.executionSummary?.executionOrder, undefined, 'the cell did not run');
    assert.equal(cell.outputs.length, 0);
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(a._test.engineState(), 'idle', 'Python started in an untrusted workspace');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(marker)), 'user code ran');
  });
});
