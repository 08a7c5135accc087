// Jupyter as the oracle (issues 15 and 16): the notebooks in test/fixtures/oracle (with the
// data files beside them) run under ipykernel (Debian's python3-ipykernel, driven by
// python3-nbclient) and under our controller in this real VS Code. For every code cell, the
// stream texts, the MIME types of each rich output, their text/plain and text/html, and the
// error must be equal after normalizing addresses and timings. A cell that differs by design
// says so in its metadata (`pyContexts.oracle`: the reason, and our outputs, which are asserted
// too), and the reason must appear in the README's fidelity section. A missing ipykernel or
// nbclient fails this test with the apt command; it never skips.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import { workspaceFile } from './_helpers';
import { closeNotebooks, codeCells, openNotebook, run } from './_notebooks';

const JUPYTER_PYTHON = process.env['PY_CONTEXTS_JUPYTER_PYTHON'] ?? '/usr/bin/python3';
const repo = process.env['PY_CONTEXTS_REPO'] ?? join(__dirname, '../../..');
const fixtures = join(repo, 'test/fixtures/oracle');

/** What is compared of one cell. stdout and stderr are compared as whole texts: ipykernel
 * buffers each stream on its own, so how they interleave is an artifact of its flushing. */
interface CellOutputs {
  stdout: string;
  stderr: string;
  /** Each rich output: its MIME types (sorted; a figure's PNG is compared by presence, not by
   * pixels) and the text of its text/plain and text/html. */
  data: { mimes: string[]; 'text/plain'?: string; 'text/html'?: string }[];
  error: { ename: string; evalue: string } | null;
}

/** A documented difference, from the fixture cell's metadata. */
interface Difference {
  reason: string;
  ours: CellOutputs;
}

/** The same normalization on both sides: addresses, timings, and the pty's \r\n of `!cmd`. */
function norm(s: string): string {
  return s
    .replace(/0x[0-9a-f]{6,}/g, '0x…')
    .replace(/\d+(\.\d+)?(e[+-]?\d+)? (s|ms|µs|ns)\b/g, 'T')
    .replace(/\r\n/g, '\n');
}

const NBCLIENT = String.raw`
import json, re, sys
try:
    import nbclient, nbformat
except ImportError as e:
    sys.exit(f"{e}: apt-get install -y python3-nbclient python3-ipykernel")
nb = nbformat.read(sys.argv[1], as_version=4)
nbclient.NotebookClient(nb, kernel_name='python3', timeout=120, allow_errors=True,
                        resources={'metadata': {'path': sys.argv[2]}}).execute()
cells = []
for c in nb.cells:
    if c.cell_type != 'code':
        continue
    out = {'stdout': '', 'stderr': '', 'data': [], 'error': None}
    for o in c.outputs:
        if o.output_type == 'stream':
            out[o.name] += o.text
        elif o.output_type in ('display_data', 'execute_result'):
            d = {k: v for k, v in o.data.items() if k in ('text/plain', 'text/html')}
            d['mimes'] = sorted(o.data)
            out['data'].append(d)
        elif o.output_type == 'error':
            out['error'] = {'ename': o.ename, 'evalue': o.evalue}
    cells.append(out)
print(json.dumps(cells))
`;

/** Runs the notebook under ipykernel (asynchronously: a synchronous wait would freeze the host). */
async function underJupyter(file: string, cwd: string): Promise<CellOutputs[]> {
  const { stdout } = await promisify(execFile)(JUPYTER_PYTHON, ['-c', NBCLIENT, file, cwd], {
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' },
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '[]') as CellOutputs[];
}

const decoder = new TextDecoder();
const STREAMS: Record<string, 'stdout' | 'stderr'> = {
  'application/vnd.code.notebook.stdout': 'stdout',
  'application/vnd.code.notebook.stderr': 'stderr',
};

function outputsOf(cell: vscode.NotebookCell): CellOutputs {
  const out: CellOutputs = { stdout: '', stderr: '', data: [], error: null };
  for (const o of cell.outputs) {
    const kind = o.metadata?.['outputType'];
    if (kind === 'error') {
      const e = JSON.parse(decoder.decode(o.items[0]?.data)) as { name: string; message: string };
      out.error = { ename: e.name, evalue: e.message };
      continue;
    }
    if (kind === 'stream') {
      for (const i of o.items) {
        const stream = STREAMS[i.mime];
        if (stream) out[stream] += decoder.decode(i.data);
      }
      continue;
    }
    const d: CellOutputs['data'][number] = { mimes: o.items.map((i) => i.mime).sort() };
    for (const i of o.items) {
      if (i.mime === 'text/plain' || i.mime === 'text/html') d[i.mime] = decoder.decode(i.data);
    }
    out.data.push(d);
  }
  return out;
}

function normalized(cells: CellOutputs[]): CellOutputs[] {
  return cells.map((c) => ({
    stdout: norm(c.stdout),
    stderr: norm(c.stderr),
    data: c.data.map((d) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, typeof v === 'string' ? norm(v) : v])) as CellOutputs['data'][number]),
    error: c.error,
  }));
}

/** The documented differences of a fixture, by code-cell index. */
function differences(file: string): (Difference | undefined)[] {
  const nb = JSON.parse(readFileSync(file, 'utf8')) as { cells: { cell_type: string; metadata?: { pyContexts?: { oracle?: Difference } } }[] };
  return nb.cells.filter((c) => c.cell_type === 'code').map((c) => c.metadata?.pyContexts?.oracle);
}

function notebooks(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? notebooks(join(dir, e.name)) : e.name.endsWith('.ipynb') ? [join(dir, e.name)] : []);
}

describe('Jupyter as the oracle (issues 15, 16)', () => {
  before(() => {
    // The notebooks read files beside them: the whole folder goes into the workspace.
    cpSync(fixtures, workspaceFile('oracle').fsPath, { recursive: true });
  });
  after(closeNotebooks);

  for (const fixture of notebooks(fixtures)) {
    const name = relative(fixtures, fixture);
    it(`${name}: the same outputs as under ipykernel`, async function () {
      this.timeout(300_000);
      const uri = workspaceFile(`oracle/${name}`);
      const expected = normalized(await underJupyter(uri.fsPath, join(uri.fsPath, '..')));
      const documented = differences(fixture);
      const readme = readFileSync(join(repo, 'README.md'), 'utf8');

      const doc = await openNotebook(uri);
      // One cell at a time, as nbclient does with allow_errors: a failing cell (a documented
      // difference) must not cancel the ones behind it.
      const cells = codeCells(doc);
      for (const cell of cells) await run(doc, [cell.index]);
      const actual = normalized(cells.map(outputsOf));
      assert.equal(actual.length, expected.length);
      for (let i = 0; i < expected.length; i++) {
        const where = `cell ${i + 1} of ${name}:\n${cells[i]?.document.getText()}\n`;
        const diff = documented[i];
        if (!diff) {
          assert.deepEqual(actual[i], expected[i], `${where}differs from ipykernel`);
          continue;
        }
        assert.ok(readme.includes(diff.reason), `${where}its documented difference is not in the README: ${diff.reason}`);
        assert.deepEqual(actual[i], diff.ours, `${where}differs from its documented outputs`);
        assert.notDeepEqual(expected[i], diff.ours, `${where}is documented as different but equals ipykernel's; drop its pyContexts.oracle`);
      }
    });
  }
});
