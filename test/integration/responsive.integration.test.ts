// The extension host stays responsive (issue 17): output floods, huge prints, a huge
// trailing value and many documents at once, each measured with a lag probe in this very
// extension host.
import * as vscode from 'vscode';
import { api, pythonEditor, runLines } from './_extension';
import { closeAllEditors, sleep, waitFor } from './_helpers';
import { lagProbe, profiled, record } from './_lag';

describe('responsiveness', () => {
  after(closeAllEditors);

  it('baseline: 1M-line flood alone', async () => {
    const a = await api();
    const ed = await pythonEditor('resp/flood.py', 'for i in range(10**6): print("line", i, "x" * 40)\n');
    await runLines(ed, 1, 1); // warm-up not needed; but start Python first
    const probe = lagProbe();
    const t0 = performance.now();
    const r = await profiled('flood-alone', () => runLines(ed, 1, 1));
    const runMs = performance.now() - t0;
    await sleep(2000);
    record('baseline flood alone', { ok: r?.ok, runMs: Math.round(runMs), lag: probe.stop(), out: a._test.outputText().length });
  });

  it('baseline: flood with a one-line run beside it', async () => {
    const flood = await pythonEditor('resp/flood.py', 'for i in range(10**6): print("line", i, "x" * 40)\n');
    const other = await pythonEditor('resp/other.py', 'y = 6 * 7\ny\n', vscode.ViewColumn.Two);
    const probe = lagProbe();
    await profiled('flood-concurrent', async () => {
      const t0 = performance.now();
      const pending = runLines(flood, 1, 1);
      await sleep(800);
      const t1 = performance.now();
      const r2 = await runLines(other, 1, 2);
      const oneMs = performance.now() - t1;
      const r = await pending;
      const floodMs = performance.now() - t0;
      await sleep(2000);
      record('baseline flood + one line', { ok: r?.ok, ok2: r2?.ok, floodMs: Math.round(floodMs), oneMs: Math.round(oneMs), lag: probe.stop() });
    });
  });

  it('baseline: huge trailing value', async () => {
    const a = await api();
    const ed = await pythonEditor('resp/huge.py', 'list(range(10**6))\n');
    const probe = lagProbe();
    const t0 = performance.now();
    await profiled('huge-value', () => runLines(ed, 1, 1));
    const mark = await waitFor(() => a._test.marks(ed.document.uri).find((m) => m.kind === 'result'));
    record('baseline huge value', { ms: Math.round(performance.now() - t0), text: mark.text.slice(0, 40), lag: probe.stop() });
  });
});
