import * as assert from 'node:assert/strict';
import { dataUri, isPng, MAX_PLOTS, PlotHistory, plotFromDisplay, renderSize, saveFormats, suggestedName, type Plot } from '../../src/surfaces/plots/history';

const source = { uri: 'file:///w/analysis.py', owner: 'file:///w/analysis.py', line: 12 };

function plot(id: string): Plot {
  return { id, mime: 'image/png', data: 'iVBOR', source };
}

describe('plots', () => {
  it('takes figures, PNG and SVG displays; not text or HTML', () => {
    const fig = plotFromDisplay(
      { data: { 'image/png': 'iVBOR', 'text/plain': '<Figure>' }, metadata: { py_contexts: { figure: 'fig-3', width: 640, height: 480 } } },
      source,
      '1',
    );
    assert.deepEqual(fig, { id: '1', mime: 'image/png', data: 'iVBOR', figure: 'fig-3', width: 640, height: 480, source });
    const svg = plotFromDisplay({ data: { 'image/svg+xml': '<svg/>' }, metadata: {} }, source, '2');
    assert.equal(svg?.mime, 'image/svg+xml');
    assert.equal(svg?.figure, undefined);
    assert.equal(plotFromDisplay({ data: { 'text/html': '<b>' }, metadata: {} }, source, '3'), undefined);
    assert.equal(plotFromDisplay({ data: { 'image/png': '' }, metadata: {} }, source, '4'), undefined);
  });

  it('makes data URIs and save formats', () => {
    assert.equal(dataUri(plot('1')), 'data:image/png;base64,iVBOR');
    assert.equal(dataUri({ ...plot('1'), mime: 'image/svg+xml', data: '<svg/>' }), `data:image/svg+xml;base64,${Buffer.from('<svg/>').toString('base64')}`);
    assert.deepEqual(saveFormats({ ...plot('1'), figure: 'fig-1' }), ['png', 'svg']);
    assert.deepEqual(saveFormats(plot('1')), ['png']);
    assert.deepEqual(saveFormats({ ...plot('1'), mime: 'image/svg+xml' }), ['svg']);
    assert.equal(suggestedName(plot('7'), 'svg'), 'analysis-7.svg');
  });

  it('draws at the pane size in device pixels, 100 CSS pixels per inch', () => {
    assert.deepEqual(renderSize(400, 300, 1), { width: 400, height: 300, dpi: 100 });
    assert.deepEqual(renderSize(400, 300, 2), { width: 800, height: 600, dpi: 200 });
    assert.deepEqual(renderSize(400, 300, 0), { width: 400, height: 300, dpi: 100 });
    assert.equal(renderSize(30, 300, 1), undefined);
    assert.equal(renderSize(Number.NaN, 300, 1), undefined);
  });

  it('recognises PNG bytes', () => {
    assert.equal(isPng(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])), true);
    assert.equal(isPng(Buffer.from('<svg/>')), false);
    assert.equal(isPng(new Uint8Array()), false);
  });

  it('shows each new plot and moves back and forward within the history', () => {
    const h = new PlotHistory();
    assert.equal(h.position, -1, 'nothing shown');
    assert.equal(h.back(), false);
    h.add(plot('1'));
    h.add(plot('2'));
    h.add(plot('3'));
    assert.equal(h.current?.id, '3');
    assert.equal(h.forward(), false);
    assert.equal(h.back(), true);
    assert.equal(h.back(), true);
    assert.equal(h.current?.id, '1');
    assert.equal(h.back(), false);
    assert.equal(h.forward(), true);
    assert.equal(h.current?.id, '2');
    assert.equal(h.select('3'), true);
    assert.equal(h.select('9'), false);
    assert.equal(h.current?.id, '3');
  });

  it('deletes the shown plot and shows its neighbour; clears all', () => {
    const h = new PlotHistory();
    for (const id of ['1', '2', '3']) h.add(plot(id));
    h.select('2');
    assert.equal(h.remove('2')?.id, '2');
    assert.equal(h.current?.id, '3', 'the next one');
    assert.equal(h.remove('3')?.id, '3');
    assert.equal(h.current?.id, '1', 'the previous one at the end');
    h.add(plot('4'));
    h.select('4');
    h.remove('1');
    assert.equal(h.current?.id, '4', 'removing one before keeps the shown one');
    assert.equal(h.remove('nope'), undefined);
    assert.deepEqual(h.clear().map((p) => p.id), ['4']);
    assert.equal(h.current, undefined);
    assert.equal(h.position, -1);
  });

  it('keeps at most MAX_PLOTS and hands back the dropped ones', () => {
    const h = new PlotHistory();
    const dropped: string[] = [];
    for (let i = 1; i <= MAX_PLOTS + 2; i++) dropped.push(...h.add(plot(`${i}`)).map((p) => p.id));
    assert.deepEqual(dropped, ['1', '2']);
    assert.equal(h.items.length, MAX_PLOTS);
    assert.equal(h.current?.id, `${MAX_PLOTS + 2}`);
  });
});
