// State that survives a reload (issue 12, part 1), through a real reload of the window.
// The tests of this session run twice: the first extension host finds no marker file, builds
// up a document's and a notebook's environments, writes the marker and reloads the window
// (VS Code deactivates the extension, which saves; code-server loads the same test run again
// in a new host); the second host finds the marker and checks what came back.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/surfaces/contextTree/provider';
import { api, ok, pythonEditor } from '../_extension';
import { waitFor, workspaceFile } from '../_helpers';
import { openNotebook, writeNotebook } from '../_notebooks';

const DOC = `import numpy as np
import pandas as pd

df = pd.DataFrame({'city': ['Oslo', 'Lima'], 'temp': [4.5, 19.0]})

def warmest(frame):
    """The city with the highest temperature."""
    return frame.loc[frame['temp'].idxmax(), 'city']

f = open(__file__)
total = float(df['temp'].sum())
`;

const CELLS = ['import numpy as np\nscores = np.array([3, 1, 2])', 'def top(a):\n    return int(a.max())\n\nbest = top(scores)'];

const marker = (): string => workspaceFile('.reload-phase').fsPath;
const docUri = (): vscode.Uri => workspaceFile('reload/analysis.py');
const notebookUri = (): vscode.Uri => workspaceFile('notebooks/reload.ipynb');

describe('state that survives a reload', () => {
  const phase2 = existsSync(marker());

  if (!phase2) {
    it('phase 1: runs a file, saves it after an idle run and on deactivate, then reloads the window', async function () {
      this.timeout(300_000);
      const a = await api();
      const editor = await pythonEditor('reload/analysis.py', DOC);
      ok(await vscode.commands.executeCommand('pyContexts.runFile', editor.document.uri));
      const file = a._test.stateFile(editor.document.uri);
      assert.ok(file, 'the workspace has a storage folder');
      // The save after an idle run (a second after it) writes the file.
      await waitFor(() => existsSync(file), { message: 'the save after the run', timeoutMs: 60_000 });
      // A notebook too: its cells run, and its environment is saved after the idle run.
      const nb = await openNotebook(writeNotebook('reload.ipynb', CELLS));
      await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: nb.cellCount }], document: nb.uri });
      const nbFile = a._test.stateFile(nb.uri);
      assert.ok(nbFile);
      await waitFor(() => existsSync(nbFile), { message: 'the notebook\'s save after its run', timeoutMs: 60_000 });
      await vscode.window.showTextDocument(editor.document, { preview: false });
      // Within the save interval, and through the API: only the save on deactivate keeps this one.
      const proc = a.processFor(editor.document.uri);
      assert.ok(proc);
      await proc.exec('later = [1, 2, 3]');
      writeFileSync(marker(), readFileSync(file).length.toString());
      await vscode.commands.executeCommand('workbench.action.reloadWindow');
      // This host ends here; the window loads again with the same tests.
      await new Promise(() => undefined);
    });
    return;
  }

  after(() => {
    try {
      unlinkSync(marker());
    } catch {
      // Already gone.
    }
  });

  it('restores the open document at start-up and says so in a notification and the tree', async () => {
    const a = await api();
    const uri = docUri();
    const shown = await waitFor(() => a._test.restoreNotifications().find((m) => m.includes('analysis.py')), {
      message: 'the restore notification', timeoutMs: 120_000,
    });
    // np, pd, df, warmest, total, later; the open file cannot come back.
    assert.equal(shown, 'Restored 6 variables in analysis.py · not restored: f');
    const tree = a._test.tree.provider;
    const line = await waitFor(async () => {
      const roots = await tree.getChildren();
      return roots.find((n): n is Extract<TreeNode, { kind: 'message' }> => n.kind === 'message' && n.label === 'Restored 6 variables in analysis.py');
    }, { message: 'the tree line' });
    assert.equal(line.description, 'not restored: f');
    assert.match(line.tooltip ?? '', /f: not restored, cannot be pickled \(TypeError: cannot pickle '_io\.TextIOWrapper'/);
    assert.ok(a.processFor(uri), 'the process exists before any run');
  });

  it('brings back equal values, a working function with its source, the np alias and what only deactivate saved', async () => {
    const a = await api();
    const proc = a.processFor(docUri());
    assert.ok(proc);
    const r = await proc.run(`
import inspect, sys
[
  bool(df.equals(pd.DataFrame({'city': ['Oslo', 'Lima'], 'temp': [4.5, 19.0]}))),
  warmest(df),
  inspect.getsource(warmest),
  np is sys.modules['numpy'] and np.__name__ == 'numpy',
  total,
  later,
  'f' in globals(),
]`);
    assert.deepEqual(r, [
      true,
      'Lima',
      "def warmest(frame):\n    \"\"\"The city with the highest temperature.\"\"\"\n    return frame.loc[frame['temp'].idxmax(), 'city']\n",
      true,
      23.5,
      [1, 2, 3],
      false,
    ]);
  });

  it('restores a notebook before its first run: its import, its function and its values', async () => {
    const a = await api();
    // Opened again as a user does (a background notebook tab is not open until it is shown).
    const nb = await openNotebook(notebookUri());
    // Only the second cell runs: it needs `scores` and `np`, which only the restore can give.
    const cell = nb.cellAt(1);
    const before = cell.executionSummary?.executionOrder;
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 1, end: 2 }], document: nb.uri });
    await waitFor(() => cell.executionSummary?.success !== undefined && cell.executionSummary.executionOrder !== before, {
      message: 'the cell to finish', timeoutMs: 90_000,
    });
    assert.equal(cell.executionSummary?.success, true);
    const shown = await waitFor(() => a._test.restoreNotifications().find((m) => m.includes('reload.ipynb')), {
      message: 'the notebook\'s restore notification',
    });
    assert.equal(shown, 'Restored 4 variables in reload.ipynb');
    const proc = a.processFor(nb.uri);
    assert.ok(proc);
    assert.deepEqual(await proc.run("[np.__name__, scores.tolist(), top(scores + 10), best, 'def top(a):' in __import__('inspect').getsource(top)]"),
      ['numpy', [3, 1, 2], 13, 3, true]);
  });

  it('deletes the saved state and closes the process when the document closes', async () => {
    const a = await api();
    const uri = docUri();
    const file = a._test.stateFile(uri);
    assert.ok(file && existsSync(file));
    await vscode.window.showTextDocument(uri, { preview: false });
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await waitFor(() => !vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()), {
      message: 'the document to close', timeoutMs: 60_000,
    });
    await waitFor(() => !existsSync(file), { message: 'the saved state to be deleted' });
    await waitFor(() => a.processFor(uri) === undefined, { message: 'the process to close' });
  });
});
