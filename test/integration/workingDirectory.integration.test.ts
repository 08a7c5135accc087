// Each document runs in its own folder (issue 16), in the real extension host: a notebook in
// a subfolder and a .py file in another folder each read their own data/x.csv by relative
// path, `%cd ..` in the notebook moves only the notebook (and never the host), and a restart
// puts the notebook back in its folder.
// Fixtures: test/fixtures/workspace/cwd/.
import * as assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { api, ok, runLines } from './_extension';
import { closeAllEditors, openEditor, waitFor, workspaceFile } from './_helpers';
import { openNotebook } from './_notebooks';

const text = (data: Uint8Array): string => new TextDecoder().decode(data);

/** Runs one cell, waits for it to finish and returns its outputs as text (mime: text). */
async function runCell(doc: vscode.NotebookDocument, index: number): Promise<string> {
  const cell = doc.cellAt(index);
  // After a restart counts start at 1 again, so a new run is told apart by its start time.
  const before = cell.executionSummary?.timing?.startTime;
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: index, end: index + 1 }], document: doc.uri });
  await waitFor(
    () => cell.executionSummary?.success !== undefined && cell.executionSummary.timing !== undefined &&
      cell.executionSummary.timing.startTime !== before,
    { timeoutMs: 60_000, message: `cell ${index} of ${doc.uri.path} to finish` },
  );
  const out = cell.outputs.flatMap((o) => o.items).map((i) => `${i.mime}: ${text(i.data)}`).join('\n');
  assert.equal(cell.executionSummary?.success, true, out);
  return out;
}

describe('each document runs in its own folder', () => {
  let nb: vscode.NotebookDocument | undefined;
  after(async () => {
    // The run left the notebook dirty: revert it in its own editor, or closing would ask to save.
    if (nb && !nb.isClosed) {
      await vscode.window.showNotebookDocument(nb);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await closeAllEditors();
  });

  it('a notebook and a .py file read their own data/x.csv; %cd .. moves only the notebook', async () => {
    const a = await api();
    const hostCwd = process.cwd();
    const nbUri = workspaceFile('cwd/nb/reads-data.ipynb');
    const pyUri = workspaceFile('cwd/script/reads_data.py');
    const nbFolder = realpathSync(dirname(nbUri.fsPath));
    const parent = dirname(nbFolder);
    const pyFolder = realpathSync(dirname(pyUri.fsPath));

    nb = await openNotebook(nbUri);
    assert.match(await runCell(nb, 0), /^text\/plain: 'beside the notebook'$/m);

    const editor = await openEditor('cwd/script/reads_data.py');
    assert.equal(ok(await runLines(editor, 1, 5)), "'beside the script'");
    assert.equal(ok(await runLines(editor, 4, 4)), undefined);
    const script = a.processFor(pyUri);
    assert.ok(script, 'the .py file has a process');
    assert.equal(script.cwd, pyFolder);
    assert.equal(await script.eval('here'), pyFolder);

    assert.equal(a.processFor(nbUri)?.cwd, nbFolder);
    // %cd prints the new folder, as in IPython.
    assert.match(await runCell(nb, 1), new RegExp(`^application/vnd.code.notebook.stdout: ${escape(parent)}$`, 'm'));
    const moved = await runCell(nb, 2);
    assert.ok(moved.includes(`('parent folder', '${parent}')`), moved);
    assert.equal(a.processFor(nbUri)?.cwd, parent);

    // The script and the host are where they were.
    assert.equal(ok(await runLines(editor, 3, 3)), undefined);
    assert.deepEqual(await script.eval("(text, __import__('os').getcwd())"), ['beside the script', pyFolder]);
    assert.equal(process.cwd(), hostCwd);

    // A restart starts in the notebook's folder again, as a restarted Jupyter kernel does.
    await vscode.commands.executeCommand('pyContexts.notebook.restart', nbUri);
    assert.equal(a.processFor(nbUri)?.cwd, nbFolder);
    assert.match(await runCell(nb, 0), /^text\/plain: 'beside the notebook'$/m);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
