import * as assert from 'node:assert/strict';
import {
  BUSY_RETRY_MS, DEFAULT_MAX_SIZE_MB, DEFAULT_SAVE_INTERVAL_S, IDLE_DELAY_MS, SaveSchedule, STATE_SUFFIX,
  budgetFor, persistSettings, restoreSummary, stateFileName,
} from '../../src/processes/persistPolicy';

describe('persisted state: policy', () => {
  describe('settings', () => {
    const table: [string, Parameters<typeof persistSettings>[0], ReturnType<typeof persistSettings>][] = [
      ['defaults', {}, { enabled: true, maxBytes: DEFAULT_MAX_SIZE_MB * 1024 * 1024, saveIntervalMs: DEFAULT_SAVE_INTERVAL_S * 1000 }],
      ['"off" turns it off', { persistState: 'off' }, { enabled: false, maxBytes: 256 * 1024 * 1024, saveIntervalMs: 30_000 }],
      ['anything but "off" is on', { persistState: 'yes' }, { enabled: true, maxBytes: 256 * 1024 * 1024, saveIntervalMs: 30_000 }],
      ['a cap and an interval', { maxSizeMB: 1.5, saveIntervalSeconds: 5 }, { enabled: true, maxBytes: 1572864, saveIntervalMs: 5000 }],
      ['0 s: only on deactivate', { saveIntervalSeconds: 0 }, { enabled: true, maxBytes: 256 * 1024 * 1024, saveIntervalMs: 0 }],
      ['bad values fall back', { maxSizeMB: -1, saveIntervalSeconds: 'x' }, { enabled: true, maxBytes: 256 * 1024 * 1024, saveIntervalMs: 30_000 }],
      ['NaN falls back', { maxSizeMB: Number.NaN }, { enabled: true, maxBytes: 256 * 1024 * 1024, saveIntervalMs: 30_000 }],
    ];
    for (const [name, raw, want] of table) it(name, () => assert.deepEqual(persistSettings(raw), want));
  });

  it('names one fixed-length file per document URI', () => {
    const a = stateFileName('file:///ws/analysis.py');
    const b = stateFileName('file:///ws/explore.ipynb');
    assert.match(a, new RegExp(`^[0-9a-f]{32}${STATE_SUFFIX.replace('.', '\\.')}$`));
    assert.notEqual(a, b);
    assert.equal(stateFileName('file:///ws/analysis.py'), a);
    assert.match(stateFileName('untitled:Untitled-1?x=/../y'), /^[0-9a-f]{32}\.pystate$/);
  });

  it('gives a save what the other documents leave of the cap', () => {
    assert.equal(budgetFor(100, []), 100);
    assert.equal(budgetFor(100, [30, 20]), 50);
    assert.equal(budgetFor(100, [80, 50]), 0);
  });

  describe('schedule', () => {
    it('has nothing to save before a run', () => {
      assert.equal(new SaveSchedule(30_000).due(0), undefined);
    });
    it('saves soon after the first run, then at most once per interval', () => {
      const s = new SaveSchedule(30_000);
      s.used();
      assert.equal(s.due(1000), IDLE_DELAY_MS);
      s.saved(2000);
      assert.equal(s.pending, false);
      assert.equal(s.due(3000), undefined);
      s.used();
      assert.equal(s.due(3000), 29_000);
      assert.equal(s.due(40_000), IDLE_DELAY_MS);
    });
    it('never saves after runs when the interval is 0', () => {
      const s = new SaveSchedule(0);
      s.used();
      assert.equal(s.due(0), undefined);
      assert.equal(s.pending, true);
    });
    it('retries a busy context later than the idle delay', () => assert.ok(BUSY_RETRY_MS >= IDLE_DELAY_MS));
  });

  describe('what the user is told', () => {
    it('names what did not come back', () => {
      const s = restoreSummary('analysis.py', Array.from({ length: 12 }, (_, i) => `v${i}`), [
        { name: 'conn', reason: 'cannot be pickled (TypeError: cannot pickle socket)' },
        { name: 'f', reason: 'cannot be pickled (TypeError: cannot pickle TextIOWrapper)' },
      ]);
      assert.equal(s.message, 'Restored 12 variables in analysis.py · not restored: conn, f');
      assert.equal(s.label, 'Restored 12 variables in analysis.py');
      assert.equal(s.description, 'not restored: conn, f');
      assert.equal(s.tooltip.split('\n')[1], 'conn: not restored, cannot be pickled (TypeError: cannot pickle socket)');
    });
    it('says one variable, and nothing more when all came back', () => {
      const s = restoreSummary('x.ipynb', ['a'], []);
      assert.equal(s.message, 'Restored 1 variable in x.ipynb');
      assert.equal(s.description, '');
    });
  });
});
