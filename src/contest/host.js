// The projector's side: snapshots over a WebSocket draw the question, countdown, answer spread,
// correct answer and leaderboard; the buttons post the host's controls.
(function () {
  const root = document.getElementById('host');
  if (!root) return;
  const id = root.dataset.contest;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (x) => document.getElementById(x);
  let deadline = 0, timer = null;

  function tick() {
    $('countdown').textContent = String(Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
  }
  function item(text, extra) {
    const li = document.createElement('li');
    li.textContent = text;
    if (extra) li.append(extra);
    return li;
  }
  function draw(s) {
    clearInterval(timer);
    $('players').textContent = s.players;
    const show = (name, on) => { $(name).hidden = !on; };
    $('btn-next').textContent = s.phase === 'lobby' && !s.board_started ? '开始 / 下一题' : '下一题';
    const q = s.q;
    show('q-box', !!q);
    show('join-box', !q);
    show('rule', !q);
    if (s.board) {
      $('board').replaceChildren(...s.board.map((b) => {
        const li = document.createElement('li');
        const name = document.createElement('span');
        name.textContent = b.rank + '. ' + b.name;
        const pts = document.createElement('strong');
        pts.textContent = String(b.score);
        li.append(name, pts);
        return li;
      }));
    }
    if (!q) {
      $('countdown').textContent = '';
      $('phase-text').hidden = false;
      $('phase-text').textContent = s.phase === 'finished' ? '竞赛结束！最终排名见右侧' : '扫码或输入竞赛码加入，等待主持人出题。';
      return;
    }
    $('phase-text').hidden = true;
    $('q-label').textContent = q.label;
    $('q-n').textContent = q.n;
    $('answered').textContent = s.answered;
    $('stem').textContent = q.stem;
    const reveal = s.phase === 'reveal';
    const correct = s.correct || '';
    const counts = new Map((s.spread || []).map(([label, n]) => [label, n]));
    const tiles = q.kind === 'judge' ? [['正确', ''], ['错误', '']] : q.options;
    $('options').replaceChildren(...tiles.map(([letter, text]) => {
      const li = item(text ? letter + '. ' + text : letter);
      if (reveal) {
        const right = q.kind === 'judge' ? correct === letter : correct.includes(letter);
        if (right) li.className = 'right';
        const n = document.createElement('span');
        n.className = 'n';
        n.textContent = (counts.get(letter) || 0) + '人';
        li.append(n);
      }
      return li;
    }));
    show('answer', reveal);
    show('spread', reveal && q.kind === 'blank');
    if (reveal) {
      $('answer').textContent = '正确答案：' + correct.split('|').join(' 或 ');
      if (q.kind === 'blank') $('spread').textContent = '答对 ' + (counts.get('答对') || 0) + ' 人 · 答错 ' + (counts.get('答错') || 0) + ' 人';
      $('countdown').textContent = '';
    } else if (s.phase === 'open') {
      deadline = Date.now() + s.remaining_ms;
      tick();
      timer = setInterval(tick, 250);
    } else if (s.phase === 'paused') {
      $('countdown').textContent = '暂停';
    }
  }
  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const ws = new WebSocket(scheme + location.host + '/contests/' + id + '/screen/ws');
    ws.onmessage = (event) => {
      const m = JSON.parse(event.data);
      if (m.t === 'state') draw(m);
    };
    ws.onclose = () => setTimeout(connect, 1000);
  }
  for (const button of document.querySelectorAll('#controls button')) {
    button.addEventListener('click', async () => {
      const action = button.dataset.action;
      if (action === 'finish' && !confirm('确定结束竞赛？结束后将按名次发放积分。')) return;
      const body = new URLSearchParams({ action, csrf });
      const r = await fetch('/contests/' + id + '/control', {
        method: 'POST', body, headers: { 'X-CSRF-Token': csrf }, redirect: 'manual',
      });
      if (r.status === 204 && action === 'finish') { location.href = '/contests/' + id; return; }
      $('host-error').textContent = r.ok || r.status === 204 ? '' : (await r.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 80);
    });
  }
  connect();
})();
