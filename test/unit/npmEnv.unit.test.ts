// The tools install (code-server) runs `npm install` from inside `npm start`/`npm test`. An
// inherited npm_config_user_agent made code-server's postinstall see the outer Node 20 and
// refuse. These check the cleaning, and that a real inner npm then reports its own agent.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cleanNpmEnv } = require(join(__dirname, '..', '..', '..', 'scripts', 'npm-env.cjs')) as {
  cleanNpmEnv: (env: NodeJS.ProcessEnv, extra?: Record<string, string>) => Record<string, string>;
};

describe('npm inside npm (scripts/npm-env.cjs)', () => {
  const outer = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '/root',
    npm_config_user_agent: 'npm/10.0.0 node/v20.0.0 linux x64 workspaces/false fake-outer',
    npm_config_nodedir: '/usr',
    npm_lifecycle_event: 'test',
    npm_package_name: 'py-contexts',
    npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
    INIT_CWD: '/work',
    KEEP_ME: 'yes',
  };

  it('drops what an outer npm run exports, keeps the rest, adds the extras', () => {
    const env = cleanNpmEnv(outer, { npm_config_nodedir: '/opt/node24' });
    assert.equal(env['KEEP_ME'], 'yes');
    assert.equal(env['npm_config_user_agent'], undefined);
    assert.equal(env['npm_lifecycle_event'], undefined);
    assert.equal(env['npm_package_name'], undefined);
    assert.equal(env['npm_execpath'], undefined);
    assert.equal(env['INIT_CWD'], undefined);
    assert.equal(env['npm_config_nodedir'], '/opt/node24');
  });

  it('an inner npm run started with the cleaned environment reports its own Node, not the outer one', function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'pyc-npmenv-'));
    try {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({
        name: 'probe', private: true, scripts: { probe: 'node -e "console.log(\'UA=\' + process.env.npm_config_user_agent)"' },
      }));
      const agent = (env: NodeJS.ProcessEnv) => {
        const r = spawnSync('npm', ['run', '--silent', 'probe'], { cwd: dir, env, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        return /UA=(.*)/.exec(r.stdout)?.[1] ?? '';
      };
      // Without cleaning, the outer agent leaks in: this is the failure the cleaning prevents.
      assert.match(agent(outer), /fake-outer/);
      const inner = agent(cleanNpmEnv(outer));
      assert.doesNotMatch(inner, /fake-outer/);
      assert.match(inner, new RegExp(`node/${process.version.replace(/\./g, '\\.')}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
