import * as assert from 'node:assert/strict';
import type { HostFunction } from '../../src/engine/bridge';
import { describeSharedState, sharedStateEntries } from '../../src/surfaces/contextTree/sharedState';
import { vscodeFunctions, type CancelToken, type HostUi, type ProgressSink } from '../../src/surfaces/hostFunctions/functions';
import { HostFunctionRegistry, type FunctionTarget } from '../../src/surfaces/hostFunctions/registry';

class FakeEngine implements FunctionTarget {
  readonly fns = new Map<string, HostFunction>();
  registerFunction(name: string, fn: HostFunction): { dispose(): void } {
    if (this.fns.has(name)) throw new Error(`'${name}' taken`);
    this.fns.set(name, fn);
    return { dispose: () => this.fns.delete(name) };
  }
}

const fn = (() => 1) as HostFunction;

describe('host function registry', () => {
  it('keeps registrations made before Python starts and applies them to each engine', () => {
    const r = new HostFunctionRegistry();
    const reg = r.register('ext.one', fn);
    const a = new FakeEngine();
    r.attach(a);
    assert.deepEqual([...a.fns.keys()], ['ext.one']);
    r.register('ext.two', fn);
    assert.deepEqual([...a.fns.keys()], ['ext.one', 'ext.two']);
    reg.dispose();
    assert.deepEqual([...a.fns.keys()], ['ext.two']);
    const b = new FakeEngine();
    r.attach(b);
    assert.deepEqual([...a.fns.keys()], [], 'the old engine loses them');
    assert.deepEqual([...b.fns.keys()], ['ext.two']);
  });

  it('reserves the vscode. prefix for Py Contexts and refuses duplicates', () => {
    const r = new HostFunctionRegistry();
    assert.throws(() => r.register('vscode.window.hack', fn), /reserved/);
    r.register('vscode.window.ours', fn, true);
    r.register('x', fn);
    assert.throws(() => r.register('x', fn), /already registered/);
    assert.throws(() => r.register('y', 5 as never), TypeError);
    assert.deepEqual(r.names(), ['vscode.window.ours', 'x']);
  });
});

function fakeUi(over: Partial<HostUi> = {}): HostUi & { interrupted: string[] } {
  const interrupted: string[] = [];
  return {
    showMessage: async () => undefined,
    showQuickPick: async (items) => items[0],
    showInputBox: async () => 'typed',
    withProgress: async (_t, _c, task) => task({ report: () => undefined }, { isCancellationRequested: false, onCancellationRequested: () => ({ dispose: () => undefined }) }),
    open: async () => undefined,
    clipboardRead: async () => 'clip',
    clipboardWrite: async () => undefined,
    workspaceFolders: () => ['/ws'],
    trusted: () => true,
    interrupt: (id) => interrupted.push(id),
    ...over,
    interrupted,
  };
}

const call = (fns: Record<string, HostFunction>, name: string, ...args: unknown[]) => (fns[name] as (...a: unknown[]) => unknown)(...args);

describe('vscode host functions', () => {
  it('map answers to Python values: a dismissed message or pick is null', async () => {
    const fns = vscodeFunctions(fakeUi({ showMessage: async (_l, _m, items) => items[0] }));
    assert.equal(await call(fns, 'window.showMessage', 'info', 'm', ['A', 'B']), 'A');
    assert.equal(await call(vscodeFunctions(fakeUi()), 'window.showMessage', 'error', 'm', []), null);
    assert.equal(await call(fns, 'window.showQuickPick', ['p', 'q'], null), 'p');
    assert.equal(await call(fns, 'window.showInputBox', 'prompt', true, null), 'typed');
    assert.equal(await call(fns, 'env.clipboard.read'), 'clip');
    assert.deepEqual(await call(fns, 'workspace.folders'), ['/ws']);
  });

  it('refuses everything in an untrusted workspace', async () => {
    const fns = vscodeFunctions(fakeUi({ trusted: () => false }));
    await assert.rejects(async () => call(fns, 'window.showMessage', 'info', 'm', []), /untrusted/);
    assert.throws(() => call(fns, 'workspace.folders'), /untrusted/);
  });

  it('runs a progress until its end, reports steps, and turns Cancel into an interrupt of the context', async () => {
    const reports: unknown[] = [];
    let cancel: (() => void) | undefined;
    let ended = false;
    const ui = fakeUi({
      withProgress: async (_title, _c, task) => {
        const sink: ProgressSink = { report: (v) => reports.push(v) };
        const token: CancelToken = { isCancellationRequested: false, onCancellationRequested: (l) => { cancel = l; return { dispose: () => undefined }; } };
        await task(sink, token);
        ended = true;
      },
    });
    const fns = vscodeFunctions(ui);
    const id = call(fns, 'window.progressStart', 'Training', true, 'default:1') as number;
    await new Promise((r) => setImmediate(r));
    assert.equal(call(fns, 'window.progressReport', id, 'step', 10), false);
    assert.deepEqual(reports, [{ message: 'step', increment: 10 }]);
    cancel!();
    assert.deepEqual(ui.interrupted, ['default:1'], 'Cancel interrupts the context running the block');
    assert.equal(call(fns, 'window.progressReport', id, null, null), true, 'report() tells Python it was cancelled');
    call(fns, 'window.progressEnd', id);
    await new Promise((r) => setImmediate(r));
    assert.equal(ended, true);
  });
});

describe('Shared state tree node', () => {
  it('describes the count and lists keys sorted, bounded', () => {
    assert.equal(describeSharedState(0), 'empty');
    assert.equal(describeSharedState(1), '1 key');
    assert.equal(describeSharedState(3), '3 keys');
    const rows = sharedStateEntries([{ key: 'b', repr: '2' }, { key: 'a', repr: "'x'" }, { key: 'c', repr: '[]' }], 2);
    assert.deepEqual(rows, [
      { label: 'a', description: "'x'", more: false },
      { label: 'b', description: '2', more: false },
      { label: '1 more…', description: '', more: true },
    ]);
  });
});
