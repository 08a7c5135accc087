/**
 * python/py_contexts/plots.py with a real Python and matplotlib (Debian's, from apt), without
 * the engine: plt.show() outside a notebook cell sends a kept figure, collect() takes the
 * figures a run left open, render() draws one again at a given size, forget() drops it.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runPython } from './_python';

const root = path.resolve(__dirname, '../../..');

const SCRIPT = `
import base64, json, struct, sys
sys.path.insert(0, sys.argv[1])
from py_contexts import display, plots
shown = []
display._emit = shown.append
import matplotlib.pyplot as plt
plt.plot([1, 2, 3]); plt.show()
plt.figure(figsize=(3, 2)); plt.plot([3, 2, 1])
left = plots.collect()
fig = left[0]['metadata']['py_contexts']['figure']
png = base64.b64decode(plots.render(fig, 800, 400, 100))
svg = plots.render(fig, 0, 0, 100, 'svg')
display.before_cell(); plt.figure(); plt.plot([1]); plt.show(); display.after_cell()
plots.forget([fig])
print(json.dumps({
    'shown': [b['metadata'] for b in shown],
    'left': [b['metadata'] for b in left],
    'open_after': plt.get_fignums(),
    'png': [png[:8].hex(), struct.unpack('>II', png[16:24])],
    'svg': svg[:5],
    'forgotten': plots.render(fig, 800, 400, 100),
}))
`;

describe('plots.py', () => {
  it('keeps figures of editor runs for re-rendering, and leaves notebook cells as they were', function () {
    // One Python start with matplotlib; slow on a loaded machine.
    this.timeout(90_000);
    const res = runPython(['-c', SCRIPT, path.join(root, 'python')], { env: { ...process.env, MPLBACKEND: '' }, timeout: 60_000 });
    if (res.error) throw res.error;
    assert.equal(res.status, 0, res.stderr);
    const out = JSON.parse(res.stdout) as {
      shown: Record<string, { figure: string; width: number; height: number } | undefined>[];
      left: Record<string, { figure: string; width: number; height: number }>[];
      open_after: number[];
      png: [string, [number, number]];
      svg: string;
      forgotten: string | null;
    };
    assert.equal(out.shown.length, 2);
    assert.deepEqual(out.shown[0], { py_contexts: { figure: 'fig-1', width: 640, height: 480 } }, 'plt.show() outside a cell: a kept figure');
    assert.deepEqual(out.shown[1], {}, 'inside a notebook cell: a plain PNG, as before');
    assert.deepEqual(out.left, [{ py_contexts: { figure: 'fig-2', width: 300, height: 200 } }]);
    assert.deepEqual(out.open_after, [], 'collected figures are closed in pyplot');
    assert.deepEqual(out.png, ['89504e470d0a1a0a', [800, 400]], 'drawn again at exactly the size asked');
    assert.equal(out.svg, '<?xml');
    assert.equal(out.forgotten, null);
  });
});
