import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FullOutputFile, FullOutputStore } from '../../src/services/fullOutput';
import {
  ChannelText,
  findFullOutputReference,
  moreNote,
  outputLimits,
  overflowNote,
  RunShare,
} from '../../src/services/outputBudget';
import { formatSize } from '../../src/text/sizes';

describe('output budget (issue 17)', () => {
  it('reads pyContexts.output.maxSize in millions of characters; a run gets a quarter, at most half a million', () => {
    assert.deepEqual(outputLimits(10), { maxChars: 10_000_000, shareChars: 500_000 });
    assert.deepEqual(outputLimits(1), { maxChars: 1_000_000, shareChars: 250_000 });
    assert.deepEqual(outputLimits(undefined), { maxChars: 2_000_000, shareChars: 500_000 }, 'the default is 2');
    assert.deepEqual(outputLimits('big'), outputLimits(undefined));
    assert.deepEqual(outputLimits(-1), outputLimits(undefined));
    assert.equal(outputLimits(0.001).maxChars, 10_000, 'never below 10,000 characters');
    assert.equal(outputLimits(1e9).maxChars, 1_000_000_000, 'never above 1,000 million');
  });

  it('prints sizes the way the notes say them', () => {
    assert.equal(formatSize(12), '12 characters');
    assert.equal(formatSize(812_400), '812 KB');
    assert.equal(formatSize(4_240_000), '4.2 MB');
    assert.equal(formatSize(41_200_000), '41 MB');
    assert.equal(formatSize(1_500_000_000), '1.5 GB');
    assert.equal(moreNote(41_200_000, '/l/0001-a.py.txt'), '… 41 MB more: open the full output /l/0001-a.py.txt');
  });

  it('finds the file a note names, for the link', () => {
    const line = `[a.py] ${moreNote(41_200_000, '/home/u/My Logs/full-output/0001-a.py.txt')}`;
    const ref = findFullOutputReference(line);
    assert.ok(ref);
    assert.equal(ref.file, '/home/u/My Logs/full-output/0001-a.py.txt');
    assert.equal(line.slice(ref.start, ref.start + ref.length), 'open the full output /home/u/My Logs/full-output/0001-a.py.txt');
    assert.equal(findFullOutputReference(`[a.py] ${overflowNote(2_500_000, '/x/0002-b.txt')}`)?.file, '/x/0002-b.txt');
    assert.equal(findFullOutputReference('[a.py] open the full output now'), undefined);
  });

  it("passes a run's text until its share is used, then counts the rest", () => {
    const share = new RunShare(10);
    assert.equal(share.take('12345'), '12345');
    assert.equal(share.overflowed, false);
    assert.equal(share.take('6789abc'), '6789a');
    assert.equal(share.take('more'), '');
    assert.deepEqual([share.shown, share.hidden, share.overflowed], [10, 6, true]);
  });

  it('keeps the newest quarter of the channel and trims from a line start once it is full', () => {
    const text = new ChannelText(100);
    for (let i = 0; i < 9; i++) text.append(`line ${i} ${'x'.repeat(3)}\n`);
    assert.equal(text.full, false);
    assert.equal(text.size, 9 * 11);
    text.append('line 9 xxx\nline 10 yy\n');
    assert.equal(text.full, true);
    const kept = text.trim('[dropped]');
    assert.ok(kept.startsWith('[dropped]\nline '), kept);
    assert.ok(kept.endsWith('line 10 yy\n'));
    assert.ok(kept.length <= 25 + '[dropped]\n'.length, `${kept.length}`);
    assert.equal(text.size, kept.length);
    assert.equal(text.full, false);
    assert.equal(text.newest(11), 'line 10 yy\n');
  });

  it('stays cheap for a million small appends: what it keeps is bounded, never the whole history', () => {
    const text = new ChannelText(1_000_000);
    const internals = text as unknown as { chunks: string[]; first: number };
    let most = 0;
    for (let i = 0; i < 1_000_000; i++) {
      text.append(`line ${i}\n`);
      if (text.full) text.trim('[dropped]');
      most = Math.max(most, internals.chunks.length);
    }
    assert.ok(text.size <= 1_000_000);
    // The newest quarter (250,000 characters) is about 21,000 of these chunks; dropped ones
    // are compacted away once they are half the array, so it holds at most about twice
    // that, never the 1,000,000 appended (which would make each trim linear).
    assert.ok(most < 50_000, `${most} chunks held at once`);
  });

  it('writes a full output file incrementally and completely', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyc-full-'));
    try {
      const store = new FullOutputStore(join(dir, 'full-output'));
      const f = store.create('my file.py');
      assert.match(f.path, /full-output\/0001-my_file\.py\.txt$/);
      for (let i = 0; i < 100_000; i++) f.write(`line ${i}\n`);
      await f.end();
      const lines = readFileSync(f.path, 'utf8').split('\n');
      assert.equal(lines.length, 100_001);
      assert.equal(lines[99_999], 'line 99999');
      assert.equal(f.chars, readFileSync(f.path, 'utf8').length);
      assert.deepEqual(store.files.map((x) => x.label), ['my file.py']);
      f.write('after the end is ignored');
      await f.end();
      assert.ok(!readFileSync(f.path, 'utf8').includes('after the end'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a full disk or a missing folder never throws in the host: end() reports the file incomplete', async () => {
    // /dev/full opens, and every write to it fails with ENOSPC, as on a full disk.
    const full = new FullOutputFile('/dev/full');
    full.write('x'.repeat(100_000));
    full.write('more');
    await assert.rejects(full.end(), /ENOSPC/);
    const missing = new FullOutputFile(join(tmpdir(), 'pyc-no-such-folder', 'out.txt'));
    missing.write('lost');
    await assert.rejects(missing.end(), /ENOENT/);
  });
});
