// The data viewer (issue 11) in a real extension host: View Data on a 1M-row DataFrame in the
// Context Pool tree, the first page in the grid (timed, written to test-artifacts/dataviewer.json
// for the bench and the README), a sort checked against pandas' own, the summary panel, a
// screenshot; py_contexts.view() from an editor and %view from a notebook; a busy context;
// closing the document closes its viewers.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { TreeNode } from '../../src/surfaces/contextTree/provider';
import { api, cursorAt, ok, pythonEditor, runLines, runSelection } from './_extension';
import { assertScreenshot, closeAllEditors, screenshot, waitFor, workspaceFile } from './_helpers';
import { openNotebook, writeNotebook } from './_notebooks';

type Api = Awaited<ReturnType<typeof api>>;
type Viewer = ReturnType<Api['_test']['dataViewers']['list']>[number];

const N = 1_000_000;
const SOURCE = [
  'import numpy as np, pandas as pd',
  'rng = np.random.default_rng(11)',
  `df = pd.DataFrame({"id": np.arange(${N}), "value": rng.normal(size=${N}), "group": rng.choice(list("abcde"), ${N}), "score": rng.integers(0, 1000, ${N})})`,
  'df.loc[::10, "value"] = np.nan',
  'rows = [{"city": c, "n": i} for i, c in enumerate(["Oslo", "Lima", "Pune"])]',
  'import py_contexts; py_contexts.view(rows, "cities")',
  'import time; time.sleep(4)',
  '',
].join('\n');

async function children(a: Api, node?: TreeNode): Promise<TreeNode[]> {
  return (await a._test.tree.provider.getChildren(node)) ?? [];
}

/** The tree node of a variable of `uri`'s process, found as a user expands the tree. */
async function variableNode(a: Api, uri: vscode.Uri, name: string): Promise<TreeNode> {
  return waitFor(async () => {
    for (const pool of (await children(a)).filter((n) => n.kind === 'pool')) {
      for (const ctx of await children(a, pool)) {
        for (const doc of await children(a, ctx)) {
          if (doc.kind !== 'document' || doc.proc.id !== uri.toString()) continue;
          const v = (await children(a, doc)).find((n) => n.kind === 'variable' && n.info.name === name);
          if (v) return v;
        }
      }
    }
    return undefined;
  }, { message: `variable ${name} in the tree`, timeoutMs: 60_000 });
}

/** The context a variable node lives in (where the viewer's requests and the checks run). */
function ctxOf(node: TreeNode): { context: Extract<TreeNode, { kind: 'variable' }>['ctx'] } {
  assert.equal(node.kind, 'variable');
  return { context: (node as Extract<TreeNode, { kind: 'variable' }>).ctx };
}

function viewer(a: Api, title: string): Viewer | undefined {
  return a._test.dataViewers.list().find((v) => v.title === `Data: ${title}`);
}

/** The grid's first rows once they are there (index label first, then the columns). */
function rendered(a: Api, title: string, sort = '[]'): Promise<unknown[][]> {
  return waitFor(() => {
    const v = viewer(a, title);
    return v?.state.rendered && v.state.renderedSort === sort ? v.state.rendered : undefined;
  }, { timeoutMs: 60_000, message: `rows of ${title} in the grid (sort ${sort})` });
}

describe('data viewer', function () {
  this.timeout(240_000);
  after(closeAllEditors);

  let a: Api;
  let uri: vscode.Uri;
  const timings: Record<string, number> = {};

  before(async () => {
    a = await api();
    const editor = await pythonEditor('viewer/frames.py', SOURCE);
    uri = editor.document.uri;
    // The DataFrame and the py_contexts.view() call (lines 1-6); the sleep stays for the busy test.
    ok(await runLines(editor, 1, 6));
  });

  it('opens a viewer from py_contexts.view() in an editor, paging a list of dicts', async () => {
    const rows = await rendered(a, 'cities');
    assert.deepEqual(rows.slice(0, 3), [[0, 'Oslo', 0], [1, 'Lima', 1], [2, 'Pune', 2]]);
    assert.equal(viewer(a, 'cities')?.state.meta?.kind, 'list of dicts');
  });

  it('opens a 1M-row DataFrame from the tree (View Data) and shows its first page', async () => {
    const node = await variableNode(a, uri, 'df');
    const item = a._test.tree.provider.getTreeItem(node) as vscode.TreeItem;
    assert.equal(item.contextValue, 'variable;viewable;', 'View Data is offered on the DataFrame');
    const started = performance.now();
    await vscode.commands.executeCommand('pyContexts.viewData', node);
    const rows = await rendered(a, 'df');
    timings['openToGridMs'] = performance.now() - started;
    const state = viewer(a, 'df')!.state;
    timings['firstPageMs'] = state.firstPageMs ?? NaN;
    assert.deepEqual(state.meta?.shape, [N, 4]);
    assert.deepEqual(state.meta?.columns.map((c) => `${c.name}:${c.dtype}`), ['id:int64', 'value:float64', 'group:object', 'score:int64']);
    const proc = a.processFor(uri)!;
    const head = await proc.run('[[i, int(r.id), None if pd.isna(r.value) else float(r.value), r.group, int(r.score)] for i, r in df.head(5).iterrows()]',
      ctxOf(node)) as unknown[][];
    assert.deepEqual(rows, head);
    // Python was asked for the open and one or two pages, never for the table.
    assert.ok(state.requests <= 4, `${state.requests} requests`);
  });

  it('sorts in Python: the first rows match pandas sort_values', async () => {
    const v = viewer(a, 'df')!;
    const node = await variableNode(a, uri, 'df');
    const ctx = ctxOf(node);
    const proc = a.processFor(uri)!;
    const started = performance.now();
    await v.post({ type: 'test.sort', colId: 'c1', sort: 'desc' });
    const rows = await rendered(a, 'df', JSON.stringify([{ colId: 'c1', sort: 'desc' }]));
    timings['sortMs'] = performance.now() - started;
    const want = await proc.run('s = df.sort_values("value", ascending=False, kind="stable").head(5)\n[s.index.tolist(), s["value"].tolist()]', ctx) as [number[], number[]];
    assert.deepEqual(rows.map((r) => r[0]), want[0]);
    assert.deepEqual(rows.map((r) => r[2]), want[1]);
    await v.post({ type: 'test.sort', colId: 'c3', sort: 'asc' });
    const byScore = await rendered(a, 'df', JSON.stringify([{ colId: 'c3', sort: 'asc' }]));
    const wantScore = await proc.run('df.sort_values("score", kind="stable").head(5).index.tolist()', ctx) as number[];
    assert.deepEqual(byScore.map((r) => r[0]), wantScore);
  });

  it('shows the summary side panel, then a screenshot for the README', async () => {
    const v = await waitFor(() => viewer(a, 'df')?.state.summary && viewer(a, 'df'), { timeoutMs: 120_000, message: 'the summary' });
    const [id, value, group] = v.state.summary!;
    assert.deepEqual([id?.count, id?.min, id?.max], [N, 0, N - 1]);
    assert.equal(value?.missing, N / 10);
    assert.equal(value?.histogram?.counts.reduce((s, c) => s + c, 0), N - N / 10);
    assert.equal(group?.unique, 5);
    const file = await screenshot('data-viewer');
    assertScreenshot(file);
  });

  it('says a busy context is busy, waits, then refreshes', async () => {
    const v = viewer(a, 'df')!;
    const editor = await pythonEditor('viewer/frames.py', SOURCE);
    cursorAt(editor, 7);
    const run = runSelection(editor); // sleeps 4 s in the document's context
    await waitFor(() => (a.processFor(uri)?.currentContext?.stats().busy ?? false), { message: 'the context to be busy' });
    const refreshed = v.refresh();
    await waitFor(() => v.state.status.kind === 'busy', { message: 'the viewer to say the context is busy' });
    assert.match(v.state.status.text, /busy/);
    ok(await run);
    await refreshed;
    await waitFor(() => v.state.status.kind === 'ok' && v.state.meta?.rows === N, { message: 'the refreshed viewer' });
  });

  it('opens from %view in a notebook', async () => {
    const nb = writeNotebook('viewer.ipynb', ['import numpy as np\narr = np.arange(12).reshape(4, 3)', '%view arr * 10']);
    const doc = await openNotebook(nb);
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: doc.cellCount }], document: doc.uri });
    const rows = await rendered(a, 'arr * 10');
    assert.deepEqual(rows[1], [1, 30, 40, 50]);
    assert.equal(viewer(a, 'arr * 10')?.state.meta?.kind, 'ndarray');
  });

  it('closes the viewers of a document when the document closes', async () => {
    const file = workspaceFile('viewer/closing.py');
    mkdirSync(dirname(file.fsPath), { recursive: true });
    writeFileSync(file.fsPath, 'import py_contexts\npy_contexts.view({"x": [1, 2, 3]}, "closing")\n');
    await closeAllEditors();
    // Opened as a user opens it, so closing its editor closes the document (see lifecycle tests).
    await vscode.commands.executeCommand('vscode.open', file);
    const ed = await waitFor(() => vscode.window.activeTextEditor?.document.uri.toString() === file.toString() && vscode.window.activeTextEditor,
      { message: 'closing.py active' });
    ok(await runLines(ed, 1, 2));
    await rendered(a, 'closing');
    const proc = a.processFor(file)!;
    // Only the text editor's tab closes; the viewer's own tab is left to the extension.
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === file.toString());
    assert.ok(tabs.length > 0);
    await vscode.window.tabGroups.close(tabs);
    await waitFor(() => proc.closed, { timeoutMs: 60_000, message: 'the document process to close' });
    await waitFor(() => !viewer(a, 'closing'), { timeoutMs: 10_000, message: 'the viewer to close with its document' });
  });

  after(() => {
    const dir = join(process.env['PY_CONTEXTS_REPO'] ?? '.', 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'dataviewer.json'), `${JSON.stringify({ rows: N, ...timings }, null, 2)}\n`);
    console.log(`data viewer: ${JSON.stringify(timings)}`);
  });
});
