// Runs against py-contexts installed from the .vsix that `npm run package` produced
// (scripts/integration.mjs installs it into an empty extensions dir for this session), so it
// catches files the .vscodeignore allow-list forgot: the addon, the python helpers, the bundle.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, api, closeAllEditors, extension, openEditor, screenshot, selectLines, session, waitFor } from '../_helpers';

function contributesCommand(command: string): boolean {
  const manifest: unknown = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
  const commands = (manifest as { contributes?: { commands?: { command?: string }[] } }).contributes?.commands ?? [];
  return commands.some((c) => c.command === command);
}

describe('the extension installed from the .vsix', () => {
  after(closeAllEditors);

  it('is the installed copy, not the repository', () => {
    assert.equal(session(), 'vsix');
    const ext = extension();
    const repo = process.env['PY_CONTEXTS_REPO'] ?? '';
    assert.ok(repo.length > 0);
    assert.ok(!ext.extensionPath.startsWith(repo), `${ext.extensionPath} is inside the repository`);
    assert.ok(existsSync(join(ext.extensionPath, 'package.json')));
  });

  it('ships the loader, an engine core per ABI and the python helpers, with no build record', () => {
    const dir = extension().extensionPath;
    for (const f of ['native/build/Release/py_contexts_loader.node', 'native/build/Release/cores.json', 'python/py_contexts', 'python/probe.py']) {
      assert.ok(existsSync(join(dir, f)), `${f} is missing from the .vsix`);
    }
    const { cores } = JSON.parse(readFileSync(join(dir, 'native/build/Release/cores.json'), 'utf8')) as { cores: { tag: string }[] };
    assert.ok(cores.length > 0, 'no engine core in the .vsix');
    for (const c of cores) assert.ok(existsSync(join(dir, `native/build/Release/core_${c.tag}.node`)), `core_${c.tag}.node is missing`);
    assert.ok(!existsSync(join(dir, 'native/build/python.json')), 'a build record with build-machine paths was packaged');
  });

  // Defined only once the manifest contributes the command, i.e. once the extension exists;
  // from then on it is a required test of the packaged extension.
  if (contributesCommand('pyContexts.runSelection')) {
    it('runs a selection through the installed extension', async () => {
      const pyContexts = await api();
      const editor = await openEditor('sample.py');
      const line = editor.document.getText().split('\n').indexOf('x = 41') + 1;
      assert.ok(line > 0, 'sample.py has no `x = 41` line');
      selectLines(editor, line);
      await vscode.commands.executeCommand('pyContexts.runSelection');
      const proc = await waitFor(() => pyContexts.processFor(editor.document.uri), {
        message: 'a process for sample.py',
      });
      const x = await waitFor(async () => (await proc.eval('x')) === 41, { message: 'x == 41 in the process' });
      assert.equal(x, true);
      await screenshot('vsix-run-selection');
    });
  }
});
