// Client for bench/py/jsonl_server.py: a long-lived python3 subprocess speaking JSON lines.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PYDIR } from './common.mjs';

/** A minimal client: ids matched to promises, responses split on newlines. */
export function startJsonl(python) {
  const child = spawn(python, [join(PYDIR, 'jsonl_server.py'), PYDIR], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pending = new Map();
  let nextId = 1;
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if ('error' in msg) p.reject(new Error(msg.error));
      else p.resolve(msg.ok !== null && typeof msg.ok === 'object' && '__bytes__' in msg.ok ? Buffer.from(msg.ok.__bytes__, 'base64') : msg.ok);
    }
  });
  const send = (req) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    child.stdin.write(`${JSON.stringify({ id, ...req })}\n`);
  });
  return {
    call: (module, fn, args = []) => send({ op: 'call', module, fn, args }),
    run: (code) => send({ op: 'run', code }),
    close: () => { child.stdin.end(); child.kill(); },
  };
}
