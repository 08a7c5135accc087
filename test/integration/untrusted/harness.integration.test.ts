// Checks that the 'untrusted' session really opens the workspace in restricted mode, so that
// the extension's refusal tests next to this file test what they claim to.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { screenshot, session } from '../_helpers';

describe('integration harness, untrusted session', () => {
  it('opens the fixture workspace without trusting it', async () => {
    assert.equal(session(), 'untrusted');
    assert.equal(vscode.workspace.workspaceFolders?.length, 1);
    assert.equal(vscode.workspace.isTrusted, false);
    await screenshot('harness-untrusted');
  });
});
