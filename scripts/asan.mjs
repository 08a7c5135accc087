// `npm run test:asan`: the native test tier against an AddressSanitizer build of the addon.
//
// The ASan build goes into a scratch copy of the package (native/build is never touched,
// so the normal build needs no restoring and other work can keep using it). Node itself is
// not built with ASan, so the runtime is preloaded: LD_PRELOAD=$(gcc -print-file-name=libasan.so).
// ASAN_OPTIONS:
//   detect_leaks=0            Node and CPython keep process-lifetime allocations on purpose;
//                             leak reports at exit would be noise, not findings.
//   allocator_may_return_null a malloc that is too big must fail (the MemoryError tests), not abort.
//   quarantine_size_mb=16     freed memory is held back less, so RSS-bound tests stay meaningful.
//   log_path                  every process, test fixtures in child processes included, writes its
//                             reports to a file; any report fails the run.
// PYTHONMALLOC=malloc (GIL builds): CPython's objects come from malloc, not from pymalloc's arenas,
// so ASan sees them too (a reference dropped once too often is then a heap-use-after-free report).
// Free-threaded builds refuse any allocator but mimalloc ("PYTHONMALLOC: unknown allocator").
// Options: ASAN_KEEP=1 keeps the scratch directory; arguments name test files to run instead of
// the whole tier (e.g. out/test/native/50.faults.test.js).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });

const libasan = execFileSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
if (!libasan.startsWith('/') || !existsSync(libasan)) {
  console.error(`[asan] libasan not found (gcc -print-file-name=libasan.so gave '${libasan}'). Install gcc (Debian: apt-get install gcc).`);
  process.exit(2);
}

console.log('[asan] building the TypeScript (npm run build)');
run(process.execPath, [join(root, 'scripts', 'build.mjs')]);

const scratch = mkdtempSync(join(tmpdir(), 'py-contexts-asan-'));
console.log(`[asan] scratch package: ${scratch}`);
// scripts/pythons.mjs lists the matrix for 11.venv; test/fixtures holds 54.modes' packages.
for (const p of ['package.json', 'python', 'out', 'test/.mocharc.native.json', 'test/fixtures', 'scripts/pythons.mjs', 'native/binding.gyp', 'native/src']) {
  cpSync(join(root, p), join(scratch, p), { recursive: true });
}
symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));

console.log('[asan] building the loader and engine cores with -fsanitize=address (build-native.mjs --asan)');
run(process.execPath, [join(root, 'scripts', 'build-native.mjs'), '--directory', scratch, '--asan']);
// The core of the Python the tests run (PY_CONTEXTS_PYTHON, else python3): any core shows the link.
const addon = join(scratch, 'native', 'build', 'Release', 'py_contexts_loader.node');
if (!execFileSync('ldd', [addon], { encoding: 'utf8' }).includes('libasan')) {
  console.error('[asan] the addon was not linked against libasan');
  process.exit(2);
}

const python = process.env.PY_CONTEXTS_PYTHON || 'python3';
const freeThreaded = execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_config_var("Py_GIL_DISABLED") or 0)'],
  { encoding: 'utf8' }).trim() === '1';
const logs = join(scratch, 'asan-logs');
mkdirSync(logs);
const env = {
  ...process.env,
  LD_PRELOAD: [libasan, process.env.LD_PRELOAD].filter(Boolean).join(':'),
  ASAN_OPTIONS: `detect_leaks=0:allocator_may_return_null=1:quarantine_size_mb=16:log_path=${join(logs, 'asan')}`,
  ...(freeThreaded ? {} : { PYTHONMALLOC: 'malloc' }),
};
console.log(`[asan] running the native tier with LD_PRELOAD=${libasan}${freeThreaded ? '' : ' PYTHONMALLOC=malloc'} (${python})`);
// With file arguments, run just those (mocha would add them to the config's spec).
const files = process.argv.slice(2);
const mochaArgs = files.length
  ? ['--require', 'out/test/native/_setup.js', '--node-option', 'expose-gc', '--timeout', '60000', ...files]
  : ['--config', 'test/.mocharc.native.json'];
const mocha = spawnSync(process.execPath, [join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), ...mochaArgs], {
  cwd: scratch,
  env,
  stdio: 'inherit',
});

// Files holding only "failed to allocate" warnings come from the huge-allocation tests.
const reports = [];
for (const f of readdirSync(logs).map((name) => join(logs, name))) {
  const text = readFileSync(f, 'utf8');
  if (/ERROR: AddressSanitizer|SUMMARY: AddressSanitizer|AddressSanitizer:DEADLYSIGNAL/.test(text)) {
    reports.push(f);
    console.error(`\n[asan] report ${f}:\n${text}`);
  } else {
    console.log(`[asan] warnings only (${f}): ${text.split('\n').filter(Boolean).length} line(s), e.g. ${text.split('\n')[0]}`);
  }
}
const code = mocha.status ?? 1;
console.log(`\n[asan] mocha exit code ${code}; AddressSanitizer reports: ${reports.length}`);
if (process.env.ASAN_KEEP !== '1' && reports.length === 0) rmSync(scratch, { recursive: true, force: true });
else console.log(`[asan] kept ${scratch}`);
process.exit(code !== 0 ? code : reports.length ? 1 : 0);
