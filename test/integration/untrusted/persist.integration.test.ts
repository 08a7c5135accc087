// Restricted Mode and saved state (issue 12): a document with saved state is neither restored
// at start-up nor before a (refused) run, and its saved state is left as it was.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { PyContextsApi } from '../../../src/extension';
import { api as harnessApi, closeAllEditors, workspaceFile } from '../_helpers';

describe('untrusted workspace: saved state', () => {
  after(closeAllEditors);

  it('restores nothing and starts no Python, even when the document has saved state', async () => {
    const a = (await harnessApi()) as unknown as PyContextsApi;
    const uri = workspaceFile('untrusted/saved.py');
    mkdirSync(dirname(uri.fsPath), { recursive: true });
    writeFileSync(uri.fsPath, 'x = 1\n');
    const file = a._test.stateFile(uri);
    assert.ok(file, 'the workspace has a storage folder');
    mkdirSync(dirname(file), { recursive: true });
    // Not a real saved environment: restoring it would be an error in the output, not silence.
    writeFileSync(file, 'PYCTXSTATE1\n');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const r = await vscode.commands.executeCommand<{ ok: boolean }>('pyContexts.runFile', uri);
    assert.equal(r?.ok, false);
    assert.deepEqual(a._test.restoreNotifications(), []);
    assert.equal(a._test.engineState(), 'idle');
    assert.equal(a.processFor(uri), undefined);
    assert.equal(readFileSync(file, 'utf8'), 'PYCTXSTATE1\n');
  });
});
