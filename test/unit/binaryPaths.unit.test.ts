/**
 * The `.node` files that go into the .vsix (native/build/Release) name nothing of the machine
 * that built them: no rpath or runpath, no path of this repository or its build folder. The
 * vsix session checks the installed copies the same way (test/integration/vsix).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildMachineTraces, elfSearchPaths, readelfSearchPaths } from '../binaryPaths';

const root = path.resolve(__dirname, '../../..');
const release = path.join(root, 'native', 'build', 'Release');
const shipped = existsSync(release) ? readdirSync(release).filter((f) => f.endsWith('.node')).map((f) => path.join(release, f)) : [];

describe('no build-machine path in the shipped .node files', () => {
  it('the loader and at least one engine core are built', () => {
    const names = shipped.map((f) => path.basename(f));
    assert.ok(names.includes('py_contexts_loader.node'), `no loader in ${release} (run npm install): ${names.join(', ')}`);
    assert.ok(names.some((n) => /^core_cp3\d+t?\.node$/.test(n)), `no engine core in ${release}: ${names.join(', ')}`);
  });

  for (const file of shipped) {
    it(`${path.basename(file)}: no rpath/runpath, no repository or build folder path`, () => {
      assert.deepEqual(buildMachineTraces(file, [root, path.join(root, 'native', 'build')]), []);
      const readelf = readelfSearchPaths(file);
      if (readelf) assert.deepEqual(readelf, [], 'readelf -d sees a search path');
    });
  }

  describe('the detector finds what it looks for', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'py-contexts-elf-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const cc = spawnSync('cc', ['--version']).status === 0;
    const title = 'a shared object linked with an rpath and a runpath, built here with cc';
    if (!cc) {
      it(`${title} (not run: no cc on this machine)`);
      return;
    }
    it(title, () => {
      const src = path.join(dir, 'x.c');
      writeFileSync(src, `const char *where(void) { return "${dir}/marker"; }\n`);
      const rpath = path.join(dir, 'rp.so');
      const runpath = path.join(dir, 'run.so');
      for (const [out, flags] of [[rpath, '-Wl,--disable-new-dtags'], [runpath, '-Wl,--enable-new-dtags']] as const) {
        const r = spawnSync('cc', ['-shared', '-fPIC', flags, `-Wl,-rpath,${dir}/lib:$ORIGIN`, '-o', out, src], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
      }
      for (const f of [rpath, runpath]) {
        assert.deepEqual(elfSearchPaths(readFileSync(f)), [`${dir}/lib:$ORIGIN`]);
        const readelf = readelfSearchPaths(f);
        if (readelf) assert.deepEqual(readelf, [`${dir}/lib:$ORIGIN`]);
        assert.deepEqual(buildMachineTraces(f, [`${dir}/marker`, '/no/such/path']), [`rpath/runpath ${dir}/lib:$ORIGIN`, `contains ${dir}/marker`]);
      }
    });
  });
});
