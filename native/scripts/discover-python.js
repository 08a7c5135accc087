#!/usr/bin/env node
// Finds the Python the addon is built against and prints what binding.gyp asks for.
// Order: $PY_CONTEXTS_PYTHON, then `python3` on PATH. We ask the interpreter itself
// (sysconfig) instead of guessing paths, because pyenv, Debian and custom builds
// all lay out headers and libpython differently.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const QUERY = `
import json, sys, sysconfig
v = sysconfig.get_config_var
print(json.dumps({
  "executable": sys.executable,
  "version": "%d.%d.%d" % sys.version_info[:3],
  "prefix": sys.prefix,
  "exec_prefix": sys.exec_prefix,
  "INCLUDEPY": v("INCLUDEPY"),
  "LIBDIR": v("LIBDIR"),
  "LDLIBRARY": v("LDLIBRARY"),
  "LDVERSION": v("LDVERSION"),
  "MULTIARCH": v("MULTIARCH"),
  "Py_ENABLE_SHARED": v("Py_ENABLE_SHARED"),
  "Py_GIL_DISABLED": v("Py_GIL_DISABLED"),
}))
`;

function fail(msg) {
  process.stderr.write(`\n[py-contexts] ${msg}\n\n`);
  process.exit(1);
}

function discover() {
  const python = process.env.PY_CONTEXTS_PYTHON || 'python3';
  let info;
  try {
    info = JSON.parse(execFileSync(python, ['-c', QUERY], { encoding: 'utf8' }));
  } catch (e) {
    fail(`Cannot run '${python}' to discover Python (${e.message.split('\n')[0]}).\n` +
      'Install Python 3 (Debian: apt-get install python3 python3-dev) or set PY_CONTEXTS_PYTHON to a python executable.');
  }
  const header = path.join(info.INCLUDEPY || '', 'Python.h');
  if (!info.INCLUDEPY || !fs.existsSync(header)) {
    fail(`${info.executable} (Python ${info.version}) has no C headers (${header} is missing).\n` +
      `Fix: apt-get install python${info.version.split('.').slice(0, 2).join('.')}-dev (or python3-dev), ` +
      'or point PY_CONTEXTS_PYTHON at a Python that ships its headers.');
  }
  const libdirs = [info.LIBDIR, info.MULTIARCH && path.join('/usr/lib', info.MULTIARCH)].filter(Boolean);
  const soname = `libpython${info.LDVERSION}.so`;
  const libdir = libdirs.find((d) => fs.existsSync(path.join(d, soname)));
  if (!info.Py_ENABLE_SHARED || !libdir) {
    fail(`${info.executable} (Python ${info.version}) has no shared libpython (${soname} not found in ${libdirs.join(', ')}).\n` +
      'Fix: apt-get install libpython3-dev python3-dev, or use a Python built with --enable-shared ' +
      '(pyenv: PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install 3.11), then set PY_CONTEXTS_PYTHON.');
  }
  return { ...info, libdir, lib: `python${info.LDVERSION}` };
}

const info = discover();
const what = process.argv[2];
if (what === 'include') process.stdout.write(info.INCLUDEPY);
else if (what === 'libdir') process.stdout.write(info.libdir);
else if (what === 'lib') process.stdout.write(`-l${info.lib}`);
else if (what === 'record') {
  // Remembered at build time so the runtime knows which interpreter's stdlib to use
  // and can refuse a mismatched one with a clear message.
  const out = path.join(__dirname, '..', 'build', 'python.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(info, null, 2));
  process.stdout.write(out);
} else process.stdout.write(JSON.stringify(info, null, 2));
