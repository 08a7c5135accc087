// Issue 12, parts 2 and 3 in a real VS Code: completions, hover and signature help from the
// running environment (a .py editor and a notebook cell), nothing evaluated that should not
// be, a busy context answering nothing at once; and one environment shared by a notebook and
// a .py file, kept while either is open and freed when both close.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { PyProcess } from '../../src/engine/types';
import { api, cursorAt, ok, pythonEditor, runLines, runSelection } from './_extension';
import { waitFor, workspaceFile } from './_helpers';
import { closeNotebooks, openNotebook, run as runCells, writeNotebook } from './_notebooks';

/** Our items among every provider's: their label says "live" on the right. */
async function liveItems(uri: vscode.Uri, pos: vscode.Position): Promise<vscode.CompletionItem[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, pos, undefined, 5);
  return list.items.filter((i) => typeof i.label === 'object' && i.label.description === 'live');
}

const labelOf = (i: vscode.CompletionItem): string => (typeof i.label === 'string' ? i.label : i.label.label);

async function hoverText(uri: vscode.Uri, pos: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos);
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

/** The end of a 0-based line. */
function endOf(editor: vscode.TextEditor, line: number): vscode.Position {
  return editor.document.lineAt(line).range.end;
}

/** Opens a workspace file as a user does (so it really closes with its editor). */
async function openAsUser(rel: string, text: string): Promise<vscode.TextEditor> {
  const uri = workspaceFile(rel);
  mkdirSync(dirname(uri.fsPath), { recursive: true });
  writeFileSync(uri.fsPath, text);
  await vscode.commands.executeCommand('vscode.open', uri, { preview: false });
  return waitFor(() => vscode.window.activeTextEditor?.document.uri.toString() === uri.toString() && vscode.window.activeTextEditor,
    { message: `${rel} to be active` });
}

function textOfCell(cell: vscode.NotebookCell): string {
  return cell.outputs.flatMap((o) => o.items).map((i) => new TextDecoder().decode(i.data)).join('');
}

describe('completions, hover and signatures from the running environment', function () {
  this.timeout(180_000);
  after(closeNotebooks);

  it('df. lists the real columns, with their dtypes, and the docstring of a method', async () => {
    const ed = await pythonEditor('live/frame.py',
      "import pandas as pd\ndf = pd.DataFrame({'price': [1.5, 2.0], 'qty': [3, 4]})\ndf.\ndf['\ndf.groupby(\n");
    ok(await runLines(ed, 1, 2));
    const uri = ed.document.uri;
    // The first lookups of a DataFrame (pandas' first __dir__, its first repr) can pass the
    // 100 ms deadline on this loaded machine and answer nothing; VS Code asks again as the
    // user types, and so does the test.
    const items = await waitFor(async () => {
      const got = await liveItems(uri, endOf(ed, 2));
      return got.length > 0 && got;
    }, { message: 'live completions after df.' });
    const columns = items.filter((i) => i.kind === vscode.CompletionItemKind.Field).map((i) => [labelOf(i), i.detail]);
    assert.deepEqual(columns, [['price', 'column · float64'], ['qty', 'column · int64']]);
    const groupby = items.find((i) => labelOf(i) === 'groupby');
    assert.equal(groupby?.kind, vscode.CompletionItemKind.Method);
    assert.deepEqual((await liveItems(uri, endOf(ed, 3))).map(labelOf), ['price', 'qty'], "df[' lists the columns as keys");
    // Hover on `df`: its type and repr from the live value.
    const hover = await waitFor(async () => (await hoverText(uri, new vscode.Position(2, 1))) || undefined, { message: 'a hover on df' });
    assert.match(hover, /pandas\.DataFrame/);
    assert.match(hover, /price/);
    // Signature help inside df.groupby( from inspect.signature of the live method.
    const help = await vscode.commands.executeCommand<vscode.SignatureHelp>('vscode.executeSignatureHelpProvider', uri, endOf(ed, 4));
    const sig = help?.signatures.find((s) => s.label.startsWith('groupby('));
    assert.ok(sig, `signatures: ${help?.signatures.map((s) => s.label).join(' | ')}`);
    assert.equal(sig.parameters[0]?.label, 'by=None');
    assert.equal(help.activeParameter, 0);
  });

  it('a property with a side effect does not run, and neither does __getattr__', async () => {
    const code = [
      'hits = 0',
      'class Counter:',
      '    @property',
      '    def bump(self):',
      '        global hits',
      '        hits += 1',
      '        return hits',
      '    def __getattr__(self, name):',
      '        global hits',
      '        hits += 100',
      '        return 0',
      'c = Counter()',
      'c.',
      'c.bump',
      'hits',
    ].join('\n');
    const ed = await pythonEditor('live/counter.py', `${code}\n`);
    ok(await runLines(ed, 1, 12));
    // Asked again while empty, as VS Code does as the user types: under heavy load a lookup can pass its deadline.
    const bump = await waitFor(async () => (await liveItems(ed.document.uri, endOf(ed, 12))).find((i) => labelOf(i) === 'bump'),
      { message: 'live completions after c.' });
    assert.equal(bump.detail, 'property (not evaluated)');
    assert.equal(bump.kind, vscode.CompletionItemKind.Property);
    assert.match(await waitFor(() => hoverText(ed.document.uri, new vscode.Position(13, 3)), { message: 'a hover on c.bump' }), /not evaluated/);
    assert.match(await waitFor(() => hoverText(ed.document.uri, new vscode.Position(13, 0)), { message: 'a hover on c' }), /Counter/);
    cursorAt(ed, 15);
    assert.equal(ok(await runSelection(ed)), '0', 'neither the getter nor __getattr__ ran');
  });

  it('a busy context answers nothing at once, before the running code ends', async () => {
    const a = await api();
    const ed = await pythonEditor('live/busy.py', 'ready = 1\nimport time; time.sleep(6)\nrea\n');
    ok(await runLines(ed, 1));
    assert.ok((await liveItems(ed.document.uri, endOf(ed, 2))).some((i) => labelOf(i) === 'ready'), 'idle: the name is offered');
    const proc = a.processFor(ed.document.uri) as PyProcess;
    let ended = false;
    const running = runLines(ed, 2).then((r) => {
      ended = true;
      return r;
    });
    await waitFor(() => proc.currentContext?.stats().busy, { message: 'the context to be busy' });
    assert.deepEqual(await liveItems(ed.document.uri, endOf(ed, 2)), []);
    assert.equal(await hoverText(ed.document.uri, new vscode.Position(0, 1)), '');
    assert.equal(ended, false, 'the answers came while the code was still running');
    ok(await running);
  });

  it('completes dict keys in a notebook cell from the notebook\'s environment', async () => {
    const uri = writeNotebook('live-keys.ipynb', ["config = {'alpha': 1, 'beta': [2]}", "config['", 'config["beta"].']);
    const doc = await openNotebook(uri);
    await runCells(doc, [0]);
    const cell = doc.cellAt(1).document;
    const keys = await liveItems(cell.uri, cell.lineAt(0).range.end);
    assert.deepEqual(keys.map((i) => [labelOf(i), i.detail]), [['alpha', 'int'], ['beta', 'list']]);
    const third = doc.cellAt(2).document;
    assert.ok((await liveItems(third.uri, third.lineAt(0).range.end)).some((i) => labelOf(i) === 'append'));
    await closeNotebooks();
  });

  it('offers nothing for a document that has not run', async () => {
    const ed = await pythonEditor('live/fresh.py', 'import os\nos.\n');
    assert.deepEqual(await liveItems(ed.document.uri, endOf(ed, 1)), []);
    assert.equal((await api()).processFor(ed.document.uri), undefined, 'asking created no process');
  });
});

describe('one environment for several documents', function () {
  this.timeout(180_000);
  after(closeNotebooks);

  it('a notebook and a .py file share variables both ways; closing one keeps them, closing both frees them', async () => {
    const a = await api();
    const python = await a.python();
    const ctx = python.context(1);
    // Earlier tests' closed processes free their environments a little later (see lifecycle).
    await waitFor(() => python.processes().every((p) => !p.closed), { message: 'earlier closed processes to be freed' });
    const envsBefore = ctx.stats().environments;
    const nbUri = writeNotebook('shared.ipynb', ['from_nb = 41', 'from_py * 10']);
    const nb = await openNotebook(nbUri);
    await vscode.commands.executeCommand('pyContexts.bindToContext', nbUri, 'default:1');
    await runCells(nb, [0]);
    const ed = await openAsUser('live/shared.py', 'from_py = from_nb + 1\nfrom_py\n');
    const pyUri = ed.document.uri;
    const shared = await a.shareProcess(pyUri, nbUri);
    assert.equal(a.processFor(pyUri), shared);
    assert.equal(a.processFor(nbUri), shared);
    assert.equal(ok(await runLines(ed, 1, 2)), '42', 'the .py file sees the notebook\'s variable');
    await runCells(nb, [1]);
    assert.match(textOfCell(nb.cellAt(1)), /420/, 'the notebook sees the .py file\'s variable');
    assert.equal(ctx.stats().environments, envsBefore + 1, 'one environment for both');

    // The tree shows both documents under the shared process.
    const tree = a._test.tree.provider;
    const item = tree.getTreeItem({ kind: 'document', proc: shared, ctx });
    assert.equal(item.label, 'shared.ipynb + shared.py');
    const children = await tree.getChildren({ kind: 'document', proc: shared, ctx });
    assert.deepEqual(children.slice(0, 2).map((n) => (n.kind === 'message' ? n.label : n.kind)), ['shared.ipynb', 'shared.py']);
    assert.ok(children.some((n) => n.kind === 'variable' && n.info.name === 'from_py'));

    // Closing the .py file keeps the notebook's state.
    await vscode.window.showTextDocument(ed.document);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await waitFor(() => a.processFor(pyUri) === undefined, { timeoutMs: 60_000, message: 'the .py file to leave the shared process' });
    assert.equal(shared.closed, false);
    assert.equal(await shared.eval('from_py'), 42);

    // Closing the notebook too frees the environment.
    await closeNotebooks();
    await waitFor(() => shared.closed, { timeoutMs: 60_000, message: 'the shared process to close' });
    await waitFor(() => !python.processes().includes(shared), { message: 'the process to leave the engine' });
    await waitFor(() => ctx.stats().environments === envsBefore, { message: 'the environment to be freed' });
  });

  it('Share Environment with… and Stop Sharing, through the commands', async () => {
    const a = await api();
    const left = await pythonEditor('live/left.py', 'token = "left"\ntoken\n', vscode.ViewColumn.One);
    const right = await pythonEditor('live/right.py', 'token\n', vscode.ViewColumn.Two);
    assert.equal(ok(await runLines(left, 1, 2)), "'left'");
    assert.equal(await vscode.commands.executeCommand('pyContexts.shareEnvironment', right.document.uri, left.document.uri), true);
    assert.equal(ok(await runLines(right, 1)), "'left'");
    const shared = a.processFor(left.document.uri);
    assert.equal(await vscode.commands.executeCommand('pyContexts.stopSharing', right.document.uri), true);
    const fresh = await (async () => {
      const r = await runLines(right, 1);
      return r && !r.ok ? r.error : undefined;
    })();
    assert.match(fresh ?? '', /NameError/, 'a fresh environment of its own');
    assert.notEqual(a.processFor(right.document.uri), shared);
    assert.equal(a.processFor(left.document.uri), shared);
    assert.equal(ok(await runLines(left, 2)), "'left'", 'the other document keeps its state');
    assert.equal(await vscode.commands.executeCommand('pyContexts.stopSharing', right.document.uri), false, 'nothing to stop now');
  });
});
