import * as assert from 'node:assert/strict';
import { documentLabel } from '../../src/text/labels';
import { normalizePools } from '../../src/manifest/settings';
import { capabilitiesOf, checkMode, parsePoolSpec } from '../../src/engine/pools';
import { bindItems } from '../../src/surfaces/commands/bindItems';
import { statusText } from '../../src/surfaces/statusBar/statusText';
import { describeContext, formatDuration } from '../../src/text/contextState';
import {
  contextFlags,
  describePool,
  documentFlags,
  poolFlags,
  variableDescription,
  variableIcon,
} from '../../src/surfaces/contextTree/model';
import type { ContextStats } from '../../src/engine/types';

const idle: ContextStats = { busy: false, queued: 0, calls: 3, environments: 1, busyForMs: 0 };
const busy: ContextStats = { busy: true, queued: 2, calls: 3, environments: 2, busyForMs: 3400 };

describe('Context Pool tree model', () => {
  it('formats durations', () => {
    assert.deepEqual([formatDuration(400), formatDuration(3400), formatDuration(125_000)], ['0.4 s', '3 s', '2 min 5 s']);
  });

  it('describes contexts', () => {
    assert.equal(describeContext(idle), 'idle');
    assert.equal(describeContext(busy), 'busy 3 s · 2 queued');
    assert.equal(describeContext({ ...busy, queued: 0 }), 'busy 3 s');
    assert.equal(describeContext({ ...idle, queued: 1 }), 'idle · 1 queued');
  });

  it('puts capability flags in contextValue for the menus regexes', () => {
    assert.equal(contextFlags(busy, { activeCanBind: true }), 'context;busy;interruptible;restartable;bindable;');
    assert.equal(contextFlags(idle, { activeCanBind: false }), 'context;idle;restartable;');
    assert.match(contextFlags(busy, { activeCanBind: false }), /^context;.*;interruptible;/);
    assert.doesNotMatch(contextFlags(idle, { activeCanBind: true }), /;interruptible;/);
    assert.equal(documentFlags({ bound: true, hasEnvironment: true }), 'document;bound;resettable;');
    assert.equal(documentFlags({ bound: false, hasEnvironment: false }), 'document;unbound;');
    assert.equal(poolFlags(false), 'pool;stopped;');
  });

  it('labels documents by their file name', () => {
    assert.equal(documentLabel('file:///ws/demo/analysis.py'), 'analysis.py');
    assert.equal(documentLabel('file:///ws/my%20file.py'), 'my file.py');
    assert.equal(documentLabel('untitled:Untitled-1'), 'Untitled-1');
    assert.equal(documentLabel('vscode-notebook:/ws/n.ipynb?x#y'), 'n.ipynb');
    assert.equal(documentLabel('plain-id'), 'plain-id');
  });

  it('describes variables with type, size and repr', () => {
    assert.equal(variableDescription({ name: 'x', type: 'int', repr: '41', expandable: false, path: ['x'] }), 'int = 41');
    assert.equal(variableDescription({ name: 'l', type: 'list', repr: '[1]', expandable: true, length: 1, path: ['l'] }), 'list[1] = [1]');
    assert.equal(variableDescription({ name: '… 3 more', type: '', repr: '', expandable: false, path: [] }), '');
    assert.equal(variableIcon({ name: 'x', type: 'int', repr: '41', expandable: false, path: ['x'] }), 'symbol-number');
    assert.equal(variableIcon({ name: 'o', type: 'Thing', repr: '', expandable: true, path: ['o'] }), 'symbol-object');
  });
});

describe('bind quick pick', () => {
  const pools = [
    { name: 'default', size: 2, started: true, contexts: [{ id: 'default:1', index: 1, stats: idle }, { id: 'default:2', index: 2, stats: busy }] },
    { name: 'io', size: 1, started: false, contexts: [] },
  ];

  it('lists Automatic, then each pool and its contexts with state and document counts', () => {
    const items = bindItems(pools, 'default:2', new Map([['default:2', 1]]));
    assert.deepEqual(
      items.map((i) => [i.label, i.description ?? '', i.separator ?? false]),
      [
        ['Automatic', 'least busy context of the default pool, then sticky', false],
        ['default', '', true],
        ['default:1', 'idle', false],
        ['$(check) default:2', 'busy 3 s · 2 queued · 1 document', false],
        ['io', '', true],
        ['io:1', 'not started', false],
      ],
    );
    assert.deepEqual(items[5]?.choice, { kind: 'context', pool: 'io', index: 1, id: 'io:1' });
    assert.equal(bindItems(pools, undefined, new Map())[0]?.label, '$(check) Automatic');
  });

  it('gives the status bar text for each state', () => {
    const base = { boundId: undefined, currentId: undefined, stats: undefined, failed: false, trusted: true };
    assert.equal(statusText(base).text, '$(symbol-namespace) Py: auto');
    assert.equal(statusText({ ...base, currentId: 'default:1', stats: idle }).text, '$(symbol-namespace) default:1');
    assert.equal(statusText({ ...base, boundId: 'default:2', stats: busy }).text, '$(sync~spin) $(pinned) default:2 busy 3 s · 2 queued');
    assert.equal(statusText({ ...base, failed: true }).text, '$(error) Py: unavailable');
    assert.equal(statusText({ ...base, trusted: false }).text, '$(shield) Py: restricted');
  });

  it('names the running interpreter in the status bar tooltip', () => {
    const base = { boundId: undefined, currentId: undefined, stats: undefined, failed: false, trusted: true };
    const interpreter = 'Python 3.13.5 (free-threaded)\n/opt/py313t/bin/python3.13t';
    assert.match(statusText({ ...base, interpreter }).tooltip, /Click to bind\.\n\nPython 3\.13\.5 \(free-threaded\)\n\/opt\/py313t/);
    assert.match(statusText({ ...base, currentId: 'default:1', stats: idle, interpreter }).tooltip, /^Runs in default:1 \(idle\)\. .*\n\nPython 3\.13\.5/s);
    assert.doesNotMatch(statusText(base).tooltip, /Python 3/);
  });
});

describe('pyContexts.pools', () => {
  const w = (size: number) => ({ size, mode: 'worker' });
  it('accepts sizes and { size, mode }, and always has default', () => {
    assert.deepEqual(normalizePools({ default: 3, io: 1 }), { pools: { default: w(3), io: w(1) }, problems: [] });
    assert.deepEqual(normalizePools(undefined), { pools: { default: w(2) }, problems: [] });
    assert.deepEqual(normalizePools({ io: 1 }).pools, { io: w(1), default: w(2) });
    assert.deepEqual(normalizePools({ default: { size: 2 }, cpu: { size: 2, mode: 'owngil' } }).pools,
      { default: w(2), cpu: { size: 2, mode: 'owngil' } });
  });

  it('drops bad entries with the engine\'s reason', () => {
    const r = normalizePools({ default: 0, 'bad name': 1, big: 1000, ok: 2.5, m: { size: 1, mode: 'process' }, x: { size: 1, gil: true } });
    assert.deepEqual(r.pools, { default: w(2) });
    assert.equal(r.problems.length, 6);
    assert.match(r.problems[4]!, /pool 'm' mode must be 'worker' or 'owngil'/);
    assert.match(r.problems[5]!, /unknown option\(s\) gil/);
    assert.equal(normalizePools([1, 2]).problems.length, 1);
  });
});

describe('pool modes', () => {
  it('parses the same spec the engine and the setting accept', () => {
    assert.deepEqual(parsePoolSpec('cpu', 2), { size: 2, mode: 'worker' });
    assert.deepEqual(parsePoolSpec('cpu', { size: 3, mode: 'owngil' }), { size: 3, mode: 'owngil' });
    assert.throws(() => parsePoolSpec('cpu', 0), RangeError);
    assert.throws(() => parsePoolSpec('cpu', { size: 65 }), /from 1 to 64/);
    assert.throws(() => parsePoolSpec('cpu', '2'), TypeError);
    assert.throws(() => parsePoolSpec('1cpu', 2), /pool name/);
  });

  it('offers own-GIL sub-interpreters on 3.12+ GIL builds only, saying why otherwise', () => {
    assert.deepEqual(capabilitiesOf('3.13.5', false, true), { freeThreaded: false, ownGil: true, modes: ['worker', 'owngil'] });
    const old = capabilitiesOf('3.11.2', false, true);
    assert.equal(old.ownGil, false);
    assert.equal(old.ownGilRefusal?.code, 'owngil-unsupported');
    assert.equal(capabilitiesOf('3.13.5', true, true).ownGilRefusal?.code, 'owngil-free-threaded');
    assert.equal(capabilitiesOf('3.13.5', false, false).ownGilRefusal?.code, 'owngil-unsupported');
    assert.throws(() => checkMode('cpu', 'owngil', old), (e: Error & { code?: string }) => e.code === 'owngil-unsupported' && /pool 'cpu'/.test(e.message));
    assert.doesNotThrow(() => checkMode('cpu', 'worker', old));
  });

  it('describes a pool by its mode', () => {
    assert.equal(describePool(2, 'worker', true, true), 'worker · free-threaded · 2 contexts');
    assert.equal(describePool(1, 'owngil', false, false), 'own GIL · 1 context · not started');
    assert.equal(describePool(2, 'worker', false, true), 'worker · 2 contexts');
  });
});
