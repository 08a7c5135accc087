// Runs against py-contexts installed from the .vsix that `npm run package` produced
// (scripts/integration.mjs installs it into an empty extensions dir for this session), so it
// catches files the .vscodeignore allow-list forgot: the addon, the python helpers, the bundle.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { buildMachineTraces } from '../../binaryPaths';
import { EXTENSION_ID, api, closeAllEditors, extension, assertScreenshot, openEditor, screenshot, selectLines, session, waitFor } from '../_helpers';

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

  it('ships .node files that name no build-machine path: no rpath/runpath, no repository or build tree', () => {
    const release = join(extension().extensionPath, 'native/build/Release');
    const repo = process.env['PY_CONTEXTS_REPO'] ?? '';
    const buildTree = process.env['PY_CONTEXTS_BUILD_TREE'] ?? '';
    assert.ok(repo.length > 1 && buildTree.length > 1, 'the vsix session names the repository and the build tree');
    const files = readdirSync(release).filter((f) => f.endsWith('.node'));
    assert.ok(files.includes('py_contexts_loader.node') && files.some((f) => f.startsWith('core_')), files.join(', '));
    const found = files.flatMap((f) => buildMachineTraces(join(release, f), [repo, buildTree, join(repo, 'native/build')]).map((t) => `${f}: ${t}`));
    assert.deepEqual(found, []);
  });

  it('embeds the Python that pyContexts.pythonPath names, and maps no file of the build tree or the repository', async function () {
    this.timeout(60_000);
    const expected = process.env['PY_CONTEXTS_EXPECT_PYTHON'] ?? '';
    assert.ok(expected.length > 0, 'the vsix session names its interpreter in PY_CONTEXTS_EXPECT_PYTHON');
    assert.equal(vscode.workspace.getConfiguration('pyContexts').get('pythonPath'), expected);
    const py = await (await api()).python();
    assert.equal(py.interpreter.executable, expected);
    const p = py.process('vsix-interpreter');
    try {
      assert.equal(await p.eval('__import__("sys").executable'), expected);
      assert.equal(await p.eval('__import__("json").dumps({"a": [1, 2.5]})'), '{"a": [1, 2.5]}');
      assert.equal(await p.eval('__import__("hashlib").sha256(b"abc").hexdigest()[:8]'), 'ba7816bf');
      const ft = await p.eval('not getattr(__import__("sys"), "_is_gil_enabled", lambda: True)()');
      assert.equal(py.interpreter.freeThreaded, ft);
      assert.equal(py.interpreter.freeThreaded, /t$/.test(expected), 'a free-threaded python keeps its GIL off');
    } finally {
      await p.close();
    }
    // The build tree the .vsix was packed from is gone, and nothing is loaded from the repository.
    const buildTree = process.env['PY_CONTEXTS_BUILD_TREE'] ?? '';
    const repo = process.env['PY_CONTEXTS_REPO'] ?? '';
    assert.ok(buildTree.length > 0 && !existsSync(buildTree), `the build tree ${buildTree} still exists`);
    const mapped = new Set(readFileSync('/proc/self/maps', 'utf8').split('\n').map((l) => l.split(/\s+/)[5] ?? '').filter((f) => f.startsWith('/')));
    const ours = [...mapped].filter((f) => f.endsWith('.node') && f.includes('py_contexts') || /core_cp3\d+t?\.node$/.test(f));
    assert.ok(ours.some((f) => f.startsWith(extension().extensionPath)), `no addon of the installed extension is loaded: ${ours.join(', ')}`);
    const leaked = [...mapped].filter((f) => f.startsWith(`${repo}/`) || f.startsWith(`${buildTree}/`));
    assert.deepEqual(leaked, [], 'files of the build tree or repository are mapped into the extension host');
  });

  it('runs notebook cells with the controller, on this interpreter', async function () {
    this.timeout(120_000);
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'vsix-smoke.ipynb');
    const cells = ['import sys, threading\nprint("hello from", sys.version_info[:2])', 'sum(range(10))'];
    writeFileSync(uri.fsPath, JSON.stringify({
      cells: cells.map((source) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source })),
      metadata: { kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' } }, nbformat: 4, nbformat_minor: 5,
    }));
    await vscode.commands.executeCommand('vscode.openWith', uri, 'jupyter-notebook', { preview: false });
    const editor = await waitFor(() => (vscode.window.activeNotebookEditor?.notebook.uri.toString() === uri.toString() ? vscode.window.activeNotebookEditor : undefined),
      { message: 'the smoke notebook to open' });
    await vscode.commands.executeCommand('notebook.selectKernel', { id: 'pyContexts.notebook', extension: EXTENSION_ID });
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 2 }], document: uri });
    const doc = editor.notebook;
    await waitFor(() => doc.getCells().every((c) => c.executionSummary?.success !== undefined && c.executionSummary.timing !== undefined),
      { timeoutMs: 90_000, message: 'both cells to finish' });
    const texts = doc.getCells().map((c) => c.outputs.flatMap((o) => o.items).map((i) => new TextDecoder().decode(i.data)).join(''));
    const expected = process.env['PY_CONTEXTS_EXPECT_PYTHON'] ?? '';
    // The minor version from the interpreter's path (python3.13t, versions/3.12.1/…); Debian's is 3.11.
    const m = /python(3)\.(\d+)|versions\/(3)\.(\d+)\./.exec(expected);
    const minor = m ? `(3, ${m[2] ?? m[4]})` : '(3, 11)';
    assert.match(texts[0] ?? '', new RegExp(`hello from ${minor.replace(/[()]/g, '\\$&')}`));
    assert.match(texts[1] ?? '', /45/);
    assert.ok(doc.getCells().every((c) => c.executionSummary?.success === true));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('the unpacked package is an engine for plain Node too: dist/core.js with this interpreter', () => {
    const expected = process.env['PY_CONTEXTS_EXPECT_PYTHON'] ?? '';
    const core = join(extension().extensionPath, 'dist', 'core.js');
    const script = `require(${JSON.stringify(core)}).startPython({ python: ${JSON.stringify(expected)}, pools: { default: 2 } })
      .then(async (py) => { const r = await py.process('plain').eval('6 * 7'); console.log(JSON.stringify({ r, i: py.interpreter })); await py.shutdown(); })
      .catch((e) => { console.error(String(e)); process.exit(1); });`;
    // The extension host's own Node, run as plain Node, in a folder away from the repository.
    const r = spawnSync(process.execPath, ['-e', script], { cwd: tmpdir(), encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 60_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { r: number; i: { executable: string; freeThreaded: boolean; version: string } };
    assert.equal(out.r, 42);
    assert.equal(out.i.executable, expected);
    assert.equal(out.i.freeThreaded, /t$/.test(expected));
  });

  // Always defined: a package that lost the command fails here instead of skipping the test.
  it('runs a selection through the installed extension', async () => {
    assert.ok(contributesCommand('pyContexts.runSelection'), 'the installed manifest does not contribute pyContexts.runSelection');
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
    assertScreenshot(await screenshot('vsix-run-selection'));
  });

  it('ships the data viewer webview bundle, and a viewer from py_contexts.view() shows rows', async function () {
    this.timeout(120_000);
    const dir = extension().extensionPath;
    for (const f of ['dist/webview/dataViewer.js', 'dist/webview/dataViewer.css']) assert.ok(existsSync(join(dir, f)), `${f} is missing from the .vsix`);
    const a = (await api()) as unknown as { python(): Promise<import('../../../src/engine/types').Python>;
      _test: { dataViewers: { list(): { title: string; state: { rendered: unknown[][] | undefined }; close(): void }[] } } };
    const p = (await a.python()).process('vsix-viewer');
    // A list of dicts needs no pandas, so this runs on every interpreter of the matrix.
    await p.exec('import py_contexts\npy_contexts.view([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}], "vsix rows")');
    const rows = await waitFor(() => a._test.dataViewers.list().find((v) => v.title === 'Data: vsix rows')?.state.rendered,
      { timeoutMs: 60_000, message: 'rows in the viewer' });
    assert.deepEqual(rows, [[0, 1, 'x'], [1, 2, 'y']]);
    for (const v of a._test.dataViewers.list()) v.close();
    await p.close();
  });
});
