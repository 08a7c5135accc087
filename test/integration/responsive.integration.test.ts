// The extension host stays responsive (issue 17): print floods, huge prints, a huge
// trailing value and 100 documents at once, each measured with a lag probe in this very
// extension host, which is the one the extension runs in. The figures are written to
// test-artifacts/responsiveness.json (`npm run soak` prints them).
//
// Two bounds per scenario. The host's own stalls are measured as the CPU time its thread
// used between two 10 ms ticks (`maxCpuMs`): that is what our handlers cost, and it is the
// product goal (50 ms; 20 ms for the trailing value). Wall-clock lateness (`maxMs`) also
// counts the time the thread waited for a core: on a 2-core machine shared with builds and
// with the flood's own Python thread it is asserted only loosely.
import * as assert from 'node:assert/strict';
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { api, ok, pythonEditor, runLines } from './_extension';
import { closeAllEditors, sleep, waitFor, workspaceFile } from './_helpers';
import { lagProbe, profiled, record, type LagFigures } from './_lag';

const GOAL_MS = 50;
/**
 * Wall-clock lateness allowed on a loaded shared machine: a freeze detector, not the goal.
 * Seen here: 1.7 s late with 18 ms of CPU on the thread, i.e. waiting for a core or a disk
 * while builds ran beside (the `worst` figures show the CPU of each stall).
 */
const LOOSE_WALL_MS = 3000;

const FLOOD = 'for i in range(10**6): print("line", i, "x" * 40)\n';
const FLOOD_LAST = `line 999999 ${'x'.repeat(40)}`;

/** Lines and last line of a file, read in chunks so the host keeps turning meanwhile. */
async function lineStats(path: string): Promise<{ lines: number; last: string; bytes: number }> {
  let lines = 0;
  let bytes = 0;
  let tail = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = chunk as string;
    bytes += Buffer.byteLength(text);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    tail = (tail + text).slice(-4096);
  }
  const parts = tail.split('\n');
  return { lines, last: (tail.endsWith('\n') ? parts[parts.length - 2] : parts[parts.length - 1]) ?? '', bytes };
}

type Api = Awaited<ReturnType<typeof api>>;

/** The note a run that overflowed its share ends with, and the file it names. */
function fullOutputNote(a: Api, label: string): { size: string; file: string } | undefined {
  const re = new RegExp(`^\\[${label.replace(/\./g, '\\.')}\\] … (\\S+ \\S+) more: open the full output (.+\\.txt)$`, 'gm');
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(a._test.outputText()); m; m = re.exec(a._test.outputText())) last = m;
  return last ? { size: last[1] ?? '', file: last[2] ?? '' } : undefined;
}

function checkLag(name: string, lag: LagFigures, cpuGoal = GOAL_MS, wall = LOOSE_WALL_MS): void {
  if (lag.maxCpuMs !== undefined) assert.ok(lag.maxCpuMs < cpuGoal, `${name}: the host's thread was busy ${lag.maxCpuMs} ms at a stretch`);
  assert.ok(lag.maxMs < wall, `${name}: the host's event loop stalled ${lag.maxMs} ms`);
}

/** Runs a one-line file and returns its result with the probe's figures around it. */
async function measuredRun(file: string, code: string, settleMs = 1000): Promise<{ ms: number; lag: LagFigures; repr: string | undefined }> {
  const ed = await pythonEditor(file, code);
  return profiled(file.replace(/\W+/g, '-'), async () => {
    const probe = lagProbe();
    const t0 = performance.now();
    const r = await runLines(ed, 1, 1);
    const ms = Math.round(performance.now() - t0);
    // VS Code copies the channel's new text back into this host after the run; that counts too.
    await sleep(settleMs);
    return { ms, lag: probe.stop(), repr: ok(r) };
  });
}

describe('responsiveness under output floods and huge values (issue 17)', () => {
  before(async () => {
    const a = await api();
    await a.python();
    await vscode.commands.executeCommand('pyContexts.showOutput');
  });
  after(closeAllEditors);

  it('a 1M-line print flood: the channel shows its share, the full output file holds every line', async () => {
    const a = await api();
    const { ms, lag } = await measuredRun('resp/flood.py', FLOOD);
    const note = await waitFor(() => fullOutputNote(a, 'flood.py'), { message: 'the "… more: open the full output" note' });
    const size = a._test.outputSize();
    const stats = await lineStats(note.file);
    record('1M-line flood', { runMs: ms, ...lag, note: note.size, channelChars: size.chars, fileBytes: stats.bytes });
    assert.equal(stats.lines, 1_000_000);
    assert.equal(stats.last, FLOOD_LAST);
    assert.match(note.size, /^\d+ MB$/);
    assert.ok(size.chars <= size.max, `the channel holds ${size.chars} characters, more than ${size.max}`);
    assert.ok(a._test.fullOutputFiles().some((f) => f.path === note.file));
    checkLag('flood', lag);
  });

  it('the flood while the user runs a line in another file beside it', async () => {
    const a = await api();
    const flood = await pythonEditor('resp/flood2.py', FLOOD);
    const other = await pythonEditor('resp/beside.py', 'y = 6 * 7\ny\n', vscode.ViewColumn.Two);
    // On different contexts: a document routed to the flood's context would wait for it by
    // design (a context runs one call at a time), which is not what this measures.
    await vscode.commands.executeCommand('pyContexts.bindToContext', flood.document.uri, 'default:1');
    await vscode.commands.executeCommand('pyContexts.bindToContext', other.document.uri, 'default:2');
    // The same one-line run without the flood, for comparison on this machine as it is now.
    ok(await runLines(other, 1, 2));
    await pythonEditor('resp/flood2.py', FLOOD);
    const t9 = performance.now();
    ok(await runLines(other, 1, 2));
    const aloneMs = Math.round(performance.now() - t9);
    await pythonEditor('resp/flood2.py', FLOOD);
    const { lag, beside, oneMs, floodMs } = await profiled('flood-beside', async () => {
      const probe = lagProbe();
      const t0 = performance.now();
      const pending = runLines(flood, 1, 1);
      // The flood is under way (its first lines are in the channel) before the user runs a line.
      await waitFor(() => /\[flood2\.py\] line \d+ /.test(a._test.outputText()), { message: 'the flood to start' });
      const t1 = performance.now();
      const beside = await runLines(other, 1, 2);
      const oneMs = Math.round(performance.now() - t1);
      ok(await pending);
      const floodMs = Math.round(performance.now() - t0);
      await sleep(1000);
      return { lag: probe.stop(), beside, oneMs, floodMs };
    });
    record('flood + one line beside', { floodMs, oneLineMs: oneMs, oneLineAloneMs: aloneMs, ...lag });
    assert.equal(ok(beside), '42');
    const note = await waitFor(() => fullOutputNote(a, 'flood2.py'), { message: 'the note of flood2.py' });
    const stats = await lineStats(note.file);
    assert.equal(stats.lines, 1_000_000);
    assert.equal(stats.last, FLOOD_LAST);
    checkLag('flood + one line', lag);
  });

  it('a 10 MB single print', async () => {
    const a = await api();
    const { ms, lag } = await measuredRun('resp/single.py', 'print("y" * 10_000_000)\n');
    const note = await waitFor(() => fullOutputNote(a, 'single.py'), { message: 'the note of single.py' });
    const stats = await lineStats(note.file);
    record('10 MB single print', { runMs: ms, ...lag, note: note.size });
    assert.deepEqual([stats.lines, stats.bytes], [1, 10_000_001]);
    assert.equal(note.size, '9.5 MB', 'a run shows half a million characters (a quarter of the default 2 million)');
    checkLag('10 MB print', lag);
  });

  it('a 100 MB print loop', async () => {
    const a = await api();
    const { ms, lag } = await measuredRun('resp/hundred.py', 'for i in range(1_000_000): print(f"{i:07d}", "z" * 92)\n');
    const note = await waitFor(() => fullOutputNote(a, 'hundred.py'), { message: 'the note of hundred.py' });
    const stats = await lineStats(note.file);
    const size = a._test.outputSize();
    record('100 MB print loop', { runMs: ms, ...lag, note: note.size, fileBytes: stats.bytes, channelChars: size.chars });
    assert.deepEqual([stats.lines, stats.bytes, stats.last], [1_000_000, 101_000_000, `0999999 ${'z'.repeat(92)}`]);
    assert.ok(size.chars <= size.max);
    checkLag('100 MB loop', lag);
  });

  it('keeps the channel within pyContexts.output.maxSize, dropping the oldest text', async () => {
    const a = await api();
    const config = vscode.workspace.getConfiguration('pyContexts');
    await config.update('output.maxSize', 1, vscode.ConfigurationTarget.Global);
    try {
      const ed = await pythonEditor('resp/bounded.py', 'for i in range(3000): print(f"{i:05d}", "b" * 94)\n');
      const before = a._test.outputSize().trimmed;
      const t0 = performance.now();
      for (let k = 0; k < 6; k++) ok(await runLines(ed, 1, 1));
      console.log(`[responsive] 6 runs of 300 KB: ${Math.round(performance.now() - t0)} ms`);
      const size = a._test.outputSize();
      record('channel bound (maxSize 1)', size);
      assert.equal(size.max, 1_000_000);
      assert.ok(size.trimmed > before, 'nothing was dropped although 6 runs printed 1.8 MB');
      assert.ok(size.chars <= size.max, `${size.chars} characters kept`);
      // Each run printed 300 KB, more than its share (250 KB): each one names its file.
      const note = await waitFor(() => fullOutputNote(a, 'bounded.py'), { message: 'the note of bounded.py' });
      const stats = await lineStats(note.file);
      assert.deepEqual([stats.lines, stats.last], [3000, `02999 ${'b'.repeat(94)}`]);
      // The channel's document, which VS Code copies into this host while the channel is
      // shown, is bounded too, and the link provider makes the note a link to the file.
      await vscode.commands.executeCommand('pyContexts.showOutput');
      const doc = await waitFor(
        () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.getText().includes(note.file)),
        { message: 'the channel document with the note' },
      );
      await waitFor(() => doc.getText().length <= size.max * 1.05, { message: `the channel document (${doc.getText().length} characters) to be trimmed` });
      const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', doc.uri);
      assert.ok(links.some((l) => l.target?.fsPath === note.file), 'no link to the full output file');
      // The command opens it too.
      await vscode.commands.executeCommand('pyContexts.openFullOutput', note.file);
      await waitFor(() => vscode.window.activeTextEditor?.document.uri.fsPath === note.file, { message: 'the full output file in an editor' });
      assert.equal(vscode.window.activeTextEditor?.document.lineCount, 3001);
    } finally {
      await config.update('output.maxSize', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('shows a huge trailing value at once, as Python prints it', async () => {
    const a = await api();
    const ed = await pythonEditor('resp/huge.py', 'big = list(range(10**6))\nbig\n(1, 2.0)\n');
    ok(await runLines(ed, 1, 1));
    const { r, mark, ms, lag } = await profiled('huge-value', async () => {
      const probe = lagProbe();
      const t0 = performance.now();
      const r = await runLines(ed, 2, 2);
      const mark = await waitFor(() => a._test.marks(ed.document.uri).find((m) => m.kind === 'result' && m.line === 1), { intervalMs: 1 });
      const ms = Math.round(performance.now() - t0);
      return { r, mark, ms, lag: probe.stop() };
    });
    record('huge trailing value', { resultMs: ms, ...lag });
    assert.match(ok(r) ?? '', /^\[0, 1, 2, 3, .*, \.\.\.\]$/);
    assert.ok(mark.text.startsWith('→ [0, 1, 2, 3, 4, 5'), mark.text);
    assert.match(mark.hover, /list of 1,000,000 items/);
    assert.equal(ok(await runLines(ed, 3, 3)), '(1, 2.0)', 'the real repr: a tuple, and 2.0 stays a float');
    // The goals are 200 ms and 20 ms; the bounds allow for a loaded machine.
    assert.ok(ms < 1000, `the inline result took ${ms} ms`);
    checkLag('huge value', lag, 30);
  });

  it('100 documents running at once: results, tree and status bar stay right; nothing ticks when idle', async () => {
    const a = await api();
    const N = 100;
    const uris: vscode.Uri[] = [];
    for (let k = 0; k < N; k++) {
      const uri = workspaceFile(`resp/many/doc${k}.py`);
      mkdirSync(dirname(uri.fsPath), { recursive: true });
      if (!existsSync(uri.fsPath)) writeFileSync(uri.fsPath, `n = ${k}\nprint("doc", n)\nn * 2\n`);
      uris.push(uri);
    }
    // Open as the user has them: each in an editor tab (a document opened without an editor
    // may be closed by VS Code at any time, and closing frees its environment).
    for (const u of uris) await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(u), { preview: false });
    await sleep(500);
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    let refreshes = 0;
    const sub = a._test.tree.provider.onDidChangeTreeData(() => refreshes++);
    const { results, ms, lag } = await profiled('many-documents', async () => {
      const probe = lagProbe();
      const t0 = performance.now();
      const results = await Promise.all(uris.map((u) => vscode.commands.executeCommand<{ ok: boolean; value?: { repr: string } }>('pyContexts.runFile', u)));
      const ms = Math.round(performance.now() - t0);
      await sleep(1500);
      return { results, ms, lag: probe.stop() };
    });
    sub.dispose();
    results.forEach((r, k) => assert.equal(r?.ok && r.value?.repr, String(k * 2), `doc${k}.py`));
    for (let k = 0; k < N; k++) {
      const marks = a._test.marks(uris[k]!);
      assert.ok(marks.some((m) => m.kind === 'result' && m.text === `→ ${k * 2}`), `doc${k}.py has no inline result`);
    }
    // Every document is in the tree, under the context it ran on.
    const docs = new Set<string>();
    for (const pool of await a._test.tree.provider.getChildren(undefined) ?? []) {
      for (const ctx of await a._test.tree.provider.getChildren(pool) ?? []) {
        for (const d of await a._test.tree.provider.getChildren(ctx) ?? []) if (d.kind === 'document') docs.add(d.proc.id);
      }
    }
    for (const u of uris) assert.ok(docs.has(u.toString()), `${u.path} is not in the tree`);
    const status = a._test.statusBar();
    assert.equal(status.run, undefined, 'the running item is hidden once all runs ended');
    assert.match(status.context ?? '', /default:\d/);
    // Refreshes are throttled: a few per second of running, not one per call.
    assert.ok(refreshes <= Math.ceil(ms / 200) + 10, `${refreshes} tree refreshes in ${ms} ms`);
    // Idle again: the tree's and status bar's tickers stopped, and no timer per document is left.
    await waitFor(() => !a._test.statusBar().ticking && !a._test.tree.provider.ticking, { message: 'the tickers to stop' });
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    record('100 documents at once', { allRunsMs: ms, ...lag, treeRefreshes: refreshes, timersBefore, timersAfter });
    assert.ok(timersAfter - timersBefore < 10, `timers grew from ${timersBefore} to ${timersAfter}`);
    checkLag('100 documents', lag);
  });
});
