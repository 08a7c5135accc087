// Preloaded (`node -r`) into code-server releases older than `--vscode-option` (4.96 and before),
// which reject VS Code server flags they do not model. VS Code's server there already reads
// `enable-smoke-test-driver` (it makes the workbench honour the test payload), so declaring the
// flag in code-server's option table is enough: code-server hands every parsed option to VS Code.
// VS Code forks its own processes (extension host, file watcher) with the same execArgv, so this
// only acts in code-server's out/node/entry.js (the parent and its forked child).
'use strict';
const { basename, dirname, join } = require('node:path');

const main = process.argv[1] ?? '';
if (basename(main).replace(/\.js$/, '') === 'entry' && basename(dirname(main)) === 'node') {
  require(join(dirname(main), 'cli.js')).options['enable-smoke-test-driver'] = {
    type: 'boolean',
    description: 'Py Contexts tests: honour the extension test payload (preloaded by scripts/code-server-old-cli.cjs).',
  };
}
