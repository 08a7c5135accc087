import * as assert from 'node:assert/strict';
import { AUTO_MAX_LINES, CONSOLE_CUT_NOTE, CONSOLE_SHARE_CHARS, ConsoleRegistry, ConsoleShare, isRich, readTarget, RunRoute } from '../../src/surfaces/console/route';

const png = { data: { 'image/png': 'iVBOR', 'text/plain': '<Figure>' }, metadata: {} };
const plain = { data: { 'text/plain': '42' }, metadata: {} };

describe('console routing', () => {
  it('reads the target setting, defaulting to auto', () => {
    assert.equal(readTarget('inline'), 'inline');
    assert.equal(readTarget('console'), 'console');
    assert.equal(readTarget('auto'), 'auto');
    assert.equal(readTarget(undefined), 'auto');
    assert.equal(readTarget('elsewhere'), 'auto');
  });

  it('tells rich displays from plain text', () => {
    assert.equal(isRich(png), true);
    assert.equal(isRich(plain), false);
    assert.equal(isRich({ data: { 'text/html': '<b>x</b>' }, metadata: {} }), true);
  });

  it('"console" is in the console from the start; "inline" never', () => {
    assert.equal(new RunRoute('console').inConsole, true);
    const inline = new RunRoute('inline');
    assert.equal(inline.display(png), false);
    assert.equal(inline.text('a\n'.repeat(100)), false);
    assert.equal(inline.inConsole, false);
  });

  it('"auto" moves on the first rich display, not on plain ones', () => {
    const r = new RunRoute('auto');
    assert.equal(r.display(plain), false);
    assert.equal(r.display(png), true);
    assert.equal(r.display(plain), true, 'once moved it stays moved');
  });

  it('"auto" moves at the end a run that printed more than a few lines, counting across writes', () => {
    const few = new RunRoute('auto');
    assert.equal(few.text('one\ntwo\n'), false);
    assert.equal(few.text('partial'), false);
    assert.equal(few.text(' line\n'.repeat(AUTO_MAX_LINES - 2)), false, `${AUTO_MAX_LINES} lines stay inline`);
    assert.equal(few.ended(), false);
    const more = new RunRoute('auto');
    more.text('a\n'.repeat(AUTO_MAX_LINES));
    assert.equal(more.text('\n'), false, 'text alone never moves a run while it runs');
    assert.equal(more.ended(), true);
    assert.equal(more.inConsole, true);
  });

  it('"auto" leaves a flood inline: past the console share, text never moves the run', () => {
    const r = new RunRoute('auto', AUTO_MAX_LINES, 100);
    for (let i = 0; i < 50; i++) r.text('line of text\n');
    assert.equal(r.ended(), false);
    const rich = new RunRoute('auto', AUTO_MAX_LINES, 100);
    for (let i = 0; i < 50; i++) rich.text('line of text\n');
    assert.equal(rich.display(png), true, 'a figure still moves it');
  });

  it('keeps consoles by notebook and by document; unknown consoles run in their own process', () => {
    const reg = new ConsoleRegistry();
    reg.add({ console: 'untitled:/Interactive-1.interactive', owner: 'file:///a.py', document: 'file:///a.py' });
    reg.add({ console: 'untitled:/Interactive-2.interactive', owner: 'untitled:/Interactive-2.interactive' });
    assert.equal(reg.ownerOf('untitled:/Interactive-1.interactive'), 'file:///a.py');
    assert.equal(reg.ownerOf('untitled:/Interactive-2.interactive'), 'untitled:/Interactive-2.interactive');
    assert.equal(reg.ownerOf('untitled:/Interactive-9.interactive'), 'untitled:/Interactive-9.interactive');
    assert.equal(reg.forDocument('file:///a.py')?.console, 'untitled:/Interactive-1.interactive');
    assert.equal(reg.forDocument('file:///b.py'), undefined);
    reg.add({ console: 'untitled:/Interactive-3.interactive', owner: 'file:///a.py', document: 'file:///a.py' });
    assert.equal(reg.forDocument('file:///a.py')?.console, 'untitled:/Interactive-3.interactive', 'the newest console of a document');
    assert.equal(reg.remove('untitled:/Interactive-3.interactive'), true);
    assert.equal(reg.forDocument('file:///a.py')?.console, 'untitled:/Interactive-1.interactive');
    assert.equal(reg.size, 2);
  });
});

describe('the console share of a run', () => {
  it('passes text through until the share is used, then cuts once with a note and drops the rest', () => {
    const share = new ConsoleShare(10);
    assert.equal(share.take('abcd'), 'abcd');
    assert.equal(share.take('efghijkl'), `efghij${CONSOLE_CUT_NOTE}`);
    assert.equal(share.take('more'), '');
    assert.equal(share.take(''), '');
  });

  it('keeps the default share far below the notebook cell share, so no second full-output file is made', () => {
    const share = new ConsoleShare();
    const chunk = 'x'.repeat(64 * 1024);
    let shown = 0;
    for (let i = 0; i < 100; i++) shown += share.take(chunk).length;
    assert.equal(shown, CONSOLE_SHARE_CHARS + CONSOLE_CUT_NOTE.length);
    assert.ok(CONSOLE_SHARE_CHARS < 1_000_000);
  });
});
