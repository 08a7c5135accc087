// Jupyter as the oracle (issue 15): the notebooks in test/fixtures/oracle run under ipykernel
// (Debian's python3-ipykernel, driven by python3-nbclient) and under our controller in this
// real VS Code; their stream, text/plain and text/html outputs and their errors must be equal
// after normalizing addresses. A missing ipykernel or nbclient fails this test with the apt
// command; it never skips.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, waitFor, workspaceFile } from './_helpers';

const CONTROLLER = { id: 'pyContexts.notebook', extension: 'py-contexts.py-contexts' };
const JUPYTER_PYTHON = process.env['PY_CONTEXTS_JUPYTER_PYTHON'] ?? '/usr/bin/python3';
const fixtures = join(process.env['PY_CONTEXTS_REPO'] ?? join(__dirname, '../../..'), 'test/fixtures/oracle');

/** What is compared of one cell. stdout and stderr are compared as whole texts: ipykernel
 * buffers each stream on its own, so how they interleave is an artifact of its flushing. */
interface CellOutputs {
  stdout: string;
  stderr: string;
  data: { 'text/plain'?: string; 'text/html'?: string }[];
  error: { ename: string; evalue: string } | null;
}

/** The same normalization on both sides: addresses, and the pty's \r\n of `!cmd`. */
function norm(s: string): string {
  return s.replace(/0x[0-9a-f]{6,}/g, '0x…').replace(/\r\n/g, '\n');
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
            out['data'].append({k: v for k, v in o.data.items() if k in ('text/plain', 'text/html')})
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

function underPyContexts(doc: vscode.NotebookDocument): CellOutputs[] {
  return doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code).map((cell) => {
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
          if (i.mime === 'application/vnd.code.notebook.stdout') out.stdout += decoder.decode(i.data);
          if (i.mime === 'application/vnd.code.notebook.stderr') out.stderr += decoder.decode(i.data);
        }
        continue;
      }
      const d: CellOutputs['data'][number] = {};
      for (const i of o.items) {
        if (i.mime === 'text/plain' || i.mime === 'text/html') d[i.mime] = decoder.decode(i.data);
      }
      out.data.push(d);
    }
    return out;
  });
}

function normalized(cells: CellOutputs[]): CellOutputs[] {
  return cells.map((c) => ({
    stdout: norm(c.stdout),
    stderr: norm(c.stderr),
    data: c.data.map((d) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, norm(v)]))),
    error: c.error,
  }));
}

describe('Jupyter as the oracle (issue 15)', () => {
  after(async () => {
    for (let i = 0; i < 20 && vscode.window.activeNotebookEditor; i++) {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await closeAllEditors();
  });

  for (const name of readdirSync(fixtures).filter((f) => f.endsWith('.ipynb'))) {
    it(`${name}: the same outputs as under ipykernel`, async function () {
      this.timeout(300_000);
      const uri = workspaceFile(`oracle/${name}`);
      mkdirSync(join(uri.fsPath, '..'), { recursive: true });
      copyFileSync(join(fixtures, name), uri.fsPath);
      const expected = normalized(await underJupyter(uri.fsPath, join(uri.fsPath, '..')));

      await vscode.commands.executeCommand('vscode.openWith', uri, 'jupyter-notebook', { preview: false });
      const editor = await waitFor(
        () => (vscode.window.activeNotebookEditor?.notebook.uri.toString() === uri.toString() ? vscode.window.activeNotebookEditor : undefined),
        { message: `${name} to be the active notebook` },
      );
      await vscode.commands.executeCommand('notebook.selectKernel', CONTROLLER);
      const doc = editor.notebook;
      await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: doc.cellCount }], document: doc.uri });
      await waitFor(() => doc.getCells().every((c) => c.executionSummary?.success !== undefined && c.executionSummary.timing !== undefined), {
        timeoutMs: 120_000,
        message: `every cell of ${name} to finish`,
      });
      const actual = normalized(underPyContexts(doc));
      assert.equal(actual.length, expected.length);
      for (let i = 0; i < expected.length; i++) {
        assert.deepEqual(actual[i], expected[i], `cell ${i + 1} of ${name} differs from ipykernel:\n${doc.cellAt(i).document.getText()}`);
      }
    });
  }
});
