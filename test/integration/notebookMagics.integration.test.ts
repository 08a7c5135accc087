// Notebook paths no other test walked (issue 14): getpass() through a password box, and the
// %%html, %%svg, %%timeit and %who magics.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PyContextsApi } from '../../src/extension';
import { api, waitFor } from './_helpers';
import { closeNotebooks, codeCells, dump, finished, item, openNotebook, run, streamText, text, writeNotebook } from './_notebooks';

describe('notebook magics and getpass', function () {
  // The first cell of a session starts the notebook's Python process, slow on a loaded machine.
  this.timeout(240_000);
  afterEach(closeNotebooks);

  it('asks getpass() through an input box and never echoes the answer', async () => {
    const doc = await openNotebook(writeNotebook('getpass.ipynb', ["import getpass\nsecret = getpass.getpass('Secret: ')\nprint('length', len(secret), type(secret).__name__)"]));
    const cell = doc.cellAt(0);
    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: doc.uri });
    // Wait for the cell to be running (blocked in getpass) before answering the box.
    const a = (await api()) as unknown as PyContextsApi;
    await waitFor(() => a.processFor(doc.uri)?.contextsUsed.some((c) => c.stats().busy), { timeoutMs: 120_000, message: 'the cell to run' });
    await waitFor(
      async () => {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return finished(cell);
      },
      { intervalMs: 250, timeoutMs: 60_000, message: 'the password box to be accepted' },
    );
    assert.equal(cell.executionSummary?.success, true, dump(cell));
    assert.match(streamText(cell), /length 0 str\n$/);
  });

  it('shows %%html as HTML and %%svg as SVG, times %%timeit, lists names with %who', async () => {
    const doc = await openNotebook(
      writeNotebook('more-magics.ipynb', [
        '%%html\n<b id="bold">bold</b>',
        '%%svg\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
        '%%timeit -n 3 -r 2\nsum(range(100))',
        'alpha = 1\nbeta = [2]\n%who',
      ]),
    );
    await run(doc);
    const [html, svg, timeit, who] = codeCells(doc) as [vscode.NotebookCell, vscode.NotebookCell, vscode.NotebookCell, vscode.NotebookCell];
    for (const c of [html, svg, timeit, who]) assert.equal(c.executionSummary?.success, true, dump(c));
    assert.equal(text(item(html, 'text/html').data).trim(), '<b id="bold">bold</b>');
    assert.match(text(item(svg, 'image/svg+xml').data), /^<svg [^>]*><rect /);
    assert.match(streamText(timeit), /per loop \(mean ± std\. dev\. of 2 runs, 3 loops each\)/);
    const names = streamText(who).trim().split(/\s+/);
    assert.ok(names.includes('alpha') && names.includes('beta'), streamText(who));
  });
});
