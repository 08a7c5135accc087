// The environment for an `npm install` started from inside an npm script (`npm start`,
// `npm test` → the tools install). The outer npm exports npm_config_*, npm_lifecycle_* and
// npm_package_* variables, which the inner install inherits. code-server's postinstall reads
// the Node version from npm_config_user_agent, sees the outer Node 20 and refuses ("code-server
// currently requires node v24") even with Node 24 first on PATH. So the inner install gets the
// environment of a fresh shell: those variables dropped, then the ones we mean added.
'use strict';

const NPM_VARIABLE = /^(npm_(config|lifecycle|package)_.*|npm_(execpath|node_execpath|command)|INIT_CWD)$/i;

/** `env` without the variables an outer npm run exported, plus `extra`. */
function cleanNpmEnv(env, extra = {}) {
  const out = {};
  for (const [k, v] of Object.entries(env)) if (!NPM_VARIABLE.test(k) && v !== undefined) out[k] = v;
  return { ...out, ...extra };
}

module.exports = { cleanNpmEnv, NPM_VARIABLE };
