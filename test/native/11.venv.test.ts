/**
 * Issue 8: a virtual environment made from each interpreter of the matrix (Debian's 3.11, 3.13,
 * 3.13t, and pyenv's 3.10 and 3.12 where present) is embedded with its own site-packages. Each runs in a child process, because one
 * process can hold only one libpython.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRun, runFixture } from './fixtures/child';

const root = join(__dirname, '..', '..', '..');

interface MatrixEntry {
  name: string;
  tag: string;
  executable: string;
}

const matrix = JSON.parse(execFileSync(process.execPath, [join(root, 'scripts', 'pythons.mjs'), '--list'], { encoding: 'utf8' })) as MatrixEntry[];
// One interpreter per ABI, the first listed: Debian's 3.11 comes before pyenv's.
const bases: MatrixEntry[] = [];
for (const m of matrix) if (!bases.some((b) => b.tag === m.tag)) bases.push(m);

describe('virtual environments of every interpreter (issue 8)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pyc-venvs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the matrix holds 3.11, 3.13 and free-threaded 3.13t (node scripts/pythons.mjs builds them), and pyenv\'s 3.10 and 3.12 where present', () => {
    const tags = bases.map((b) => b.tag);
    for (const t of ['cp311', 'cp313', 'cp313t']) assert.ok(tags.includes(t), `${t} is missing: ${JSON.stringify(matrix)}`);
    for (const t of tags) assert.ok(['cp310', 'cp311', 'cp312', 'cp313', 'cp313t'].includes(t), `unexpected ${t}`);
  });

  for (const base of bases) {
    it(`a venv of ${base.name} (${base.tag}): its python is embedded and a package only in its site-packages imports`, () => {
      const venv = join(dir, base.tag);
      // npm run test:asan sets PYTHONMALLOC=malloc for a GIL build; free-threaded ones refuse it.
      // (An undefined entry is left out of a child's environment, and overrides runFixture's copy.)
      const env = { ...process.env, ...(base.tag.endsWith('t') ? { PYTHONMALLOC: undefined } : {}) };
      execFileSync(base.executable, ['-m', 'venv', '--without-pip', venv], { env });
      const lib = join(venv, 'lib');
      const site = join(lib, readdirSync(lib).find((d) => d.startsWith('python'))!, 'site-packages');
      writeFileSync(join(site, 'pyc_venv_probe.py'), `WHERE = ${JSON.stringify(base.tag)}\n`);
      const r = runFixture('venv-start', [join(venv, 'bin', 'python')], { env });
      assert.equal(r.status, 0, describeRun(r));
      const res = r.result!;
      assert.equal(res['executable'], join(venv, 'bin', 'python'), describeRun(r));
      assert.equal(res['prefix'], venv);
      assert.notEqual(res['basePrefix'], venv);
      assert.equal(res['probe'], base.tag);
      assert.equal(res['freeThreaded'], base.tag.endsWith('t'));
      assert.equal(res['gilEnabled'], !base.tag.endsWith('t'));
    });
  }
});
