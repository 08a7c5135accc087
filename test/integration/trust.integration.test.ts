// Security in a trusted workspace: the interpreter setting is machine-scoped, so a
// workspace's .vscode/settings.json can never choose which Python (and native library) the
// extension loads. The untrusted-workspace refusal is in untrusted/refusal.integration.test.ts.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { waitFor, workspaceFile } from './_helpers';

describe('interpreter setting', () => {
  const settingsFile = workspaceFile('.vscode/settings.json').fsPath;
  let original = '';

  before(() => {
    original = readFileSync(settingsFile, 'utf8');
  });
  after(async () => {
    writeFileSync(settingsFile, original);
    await waitFor(() => vscode.workspace.getConfiguration('pyContexts').get('runSelection.inlineResults') === true, {
      message: 'workspace settings restored',
    });
  });

  it('is machine-scoped: a workspace value of pyContexts.pythonPath is ignored', async () => {
    const settings = JSON.parse(original) as Record<string, unknown>;
    settings['pyContexts.pythonPath'] = '/tmp/evil/bin/python3';
    // A window-scoped setting in the same file proves VS Code has read the file.
    settings['pyContexts.runSelection.inlineResults'] = false;
    writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
    const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('pyContexts');
    await waitFor(() => config().get('runSelection.inlineResults') === false, { message: 'the workspace settings to load' });
    assert.equal(config().get('pythonPath'), '', 'the workspace chose the interpreter');
    assert.equal(config().inspect('pythonPath')?.workspaceValue, undefined);
    await assert.rejects(
      Promise.resolve(config().update('pythonPath', '/tmp/evil/bin/python3', vscode.ConfigurationTarget.Workspace)),
      /user settings|machine|Unable to write/i,
    );
  });
});
