// Faults inside the real extension host (issue 5): the host shares its process with
// Python, so these prove it survives exits and that OpenSSL-using modules work next to
// the host's own OpenSSL (Python's _ssl/_hashlib bind to the symbols Node exports).
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { api } from './_helpers';

interface PyErr {
  type?: string;
  message?: string;
}

describe('faults in the extension host', () => {
  it('runs ssl and hashlib in the host, with digests equal to Node crypto', async () => {
    const python = await (await api()).python();
    const p = python.process('host-faults-ssl');
    try {
      const [digest, hasContext, version] = (await p.run(
        'import ssl, hashlib\nctx = ssl.create_default_context()\n' +
          '(hashlib.sha256(b"py-contexts").hexdigest(), isinstance(ctx, ssl.SSLContext), ssl.OPENSSL_VERSION)',
      )) as [string, boolean, string];
      assert.equal(digest, createHash('sha256').update('py-contexts').digest('hex'));
      assert.equal(hasContext, true);
      assert.match(version, /OpenSSL/);
      // Logged so the run records which OpenSSL Python bound to (Node's, inside code-server).
      console.log(`[host-faults] Python ${version}; Node OpenSSL ${process.versions.openssl}`);
    } finally {
      await p.close();
    }
  });

  it('turns sys.exit(), os._exit() and os.abort() into errors; the host and the environment live on', async () => {
    const python = await (await api()).python();
    const p = python.process('host-faults-exit');
    try {
      await p.exec('kept = "alive"');
      for (const [code, type] of [
        ['import sys; sys.exit(3)', 'SystemExit'],
        ['exit()', 'SystemExit'],
        ['import os; os._exit(1)', 'ProcessExitBlocked'],
        ['import os; os.abort()', 'ProcessExitBlocked'],
      ] as const) {
        const err = (await p.run(code).then(() => undefined, (e: unknown) => e)) as PyErr | undefined;
        assert.ok(err, `${code} must reject`);
        assert.ok(err.type?.endsWith(type), `${code}: got ${String(err.type)}`);
      }
      const exitErr = (await p.run('raise SystemExit(3)').catch((e: unknown) => e)) as PyErr;
      assert.match(String(exitErr.message), /SystemExit\(3\)/);
      assert.equal(await p.run('kept'), 'alive');
    } finally {
      await p.close();
    }
  });
});
