// The Plots view's page: shows the state the extension posts (src/surfaces/plots/view.ts),
// sends its size (debounced) so figures can be drawn again at it, and sends button clicks.
// It reports what it rendered, which the integration tests read.
(function () {
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  const stage = $('stage');
  const img = $('plot');
  let state = { items: [], index: -1, fit: true };

  function post(msg) { vscode.postMessage(msg); }

  for (const b of document.querySelectorAll('.toolbar button[data-cmd]')) {
    b.addEventListener('click', () => {
      const cmd = b.dataset.cmd;
      if (cmd === 'copy') return copy();
      const current = state.items[state.index];
      post({ type: 'command', command: cmd, id: current ? current.id : undefined });
    });
  }
  $('source').addEventListener('click', (e) => {
    if (e.target.tagName === 'A') post({ type: 'openSource' });
  });

  async function copy() {
    const current = state.items[state.index];
    if (!current) return;
    try {
      const blob = await (await fetch(current.src)).blob();
      const png = blob.type === 'image/png' ? blob : await toPng(blob);
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': png })]);
      post({ type: 'copied', ok: true });
    } catch (e) {
      post({ type: 'copied', ok: false, error: String(e && e.message || e) });
    }
  }

  function toPng(blob) {
    return new Promise((resolve, reject) => {
      const i = new Image();
      i.onload = () => {
        const c = document.createElement('canvas');
        c.width = i.naturalWidth; c.height = i.naturalHeight;
        c.getContext('2d').drawImage(i, 0, 0);
        c.toBlob((b) => (b ? resolve(b) : reject(new Error('no PNG'))), 'image/png');
      };
      i.onerror = () => reject(new Error('the image did not load'));
      i.src = URL.createObjectURL(blob);
    });
  }

  function render() {
    const current = state.items[state.index];
    $('empty').style.display = current ? 'none' : '';
    img.style.display = current ? '' : 'none';
    stage.classList.toggle('fit', state.fit);
    $('fit').classList.toggle('on', state.fit);
    $('back').disabled = state.index <= 0;
    $('forward').disabled = state.index < 0 || state.index >= state.items.length - 1;
    for (const id of ['save', 'copy', 'delete', 'clear', 'fit']) $(id).disabled = !current;
    $('count').textContent = current ? `${state.index + 1} / ${state.items.length}` : '';
    $('source').innerHTML = '';
    if (current) {
      const a = document.createElement('a');
      a.textContent = current.caption;
      a.title = 'Go to the code that made this plot';
      $('source').append(a);
    }
    const thumbs = $('thumbs');
    thumbs.innerHTML = '';
    state.items.forEach((p, i) => {
      const t = document.createElement('img');
      t.src = p.src;
      t.title = p.caption;
      if (i === state.index) t.className = 'current';
      t.addEventListener('click', () => post({ type: 'command', command: 'select', id: p.id }));
      thumbs.append(t);
    });
    if (!current) {
      post({ type: 'rendered', id: undefined, count: 0, index: -1, width: 0, height: 0 });
      return;
    }
    const report = () => post({ type: 'rendered', id: current.id, count: state.items.length, index: state.index, width: img.naturalWidth, height: img.naturalHeight, fit: state.fit });
    if (img.getAttribute('src') === current.src && img.complete) { report(); return; }
    img.onload = report;
    img.src = current.src;
  }

  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'state') { state = e.data.state; render(); }
  });

  let timer;
  new ResizeObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(() => post({ type: 'size', width: stage.clientWidth, height: stage.clientHeight, pixelRatio: window.devicePixelRatio || 1 }), 250);
  }).observe(stage);

  post({ type: 'ready', width: stage.clientWidth, height: stage.clientHeight, pixelRatio: window.devicePixelRatio || 1 });
})();
