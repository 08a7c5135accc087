// Checks the integration harness itself, independently of what the extension does: that
// tests run in a real extension host with the fixture workspace open, and that the
// screenshot channel to the runner works.
import * as assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import { canScreenshot, closeAllEditors, openEditor, screenshot, waitFor } from './_helpers';

describe('integration harness', () => {
  after(closeAllEditors);

  it('runs inside a real VS Code extension host', () => {
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
    assert.equal(typeof process.versions.node, 'string');
  });

  it('opens the fixture workspace, trusted', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1);
    assert.equal(vscode.workspace.isTrusted, true);
  });

  it('opens a Python file of the workspace in an editor', async () => {
    const editor = await openEditor('sample.py');
    assert.equal(editor.document.languageId, 'python');
    assert.match(editor.document.getText(), /^x = 41$/m);
    await waitFor(() => vscode.window.activeTextEditor?.document === editor.document, {
      message: 'sample.py to become the active editor',
    });
  });

  it('captures the workbench as a PNG when screenshots are available', async () => {
    const file = await screenshot('harness-sample-py');
    if (canScreenshot()) {
      assert.ok(file, 'screenshot() resolved without a file');
      assert.ok(statSync(file).size > 1000, 'the PNG is suspiciously small');
    } else {
      assert.equal(file, undefined);
    }
  });
});
