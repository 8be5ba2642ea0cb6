// The phone's side of a live contest: one WebSocket (the token is in this contest's cookie),
// reconnecting after a drop; the state snapshot draws the question and countdown, the
// acknowledgement confirms an answer is stored. Scores are added up at each reveal.
(function () {
  const root = document.getElementById('play');
  if (!root) return;
  const id = root.dataset.contest;
  const $ = (x) => document.getElementById(x);
  let ws = null, state = null, mine = {}, score = 0, counted = {}, deadline = 0, timer = null, retry = 500;

  function fold(s) { return String(s || '').replace(/\s+/g, '').toLowerCase(); }
  function right(q, answer, key) {
    if (q.kind === 'blank') return key.split('|').some((k) => fold(k) === fold(answer));
    return answer === key;
  }
  function tick() {
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    $('countdown').textContent = String(left);
  }
  function choice(letter, text, multi) {
    const label = document.createElement('label');
    label.className = 'check contest-choice';
    const input = document.createElement('input');
    input.type = multi ? 'checkbox' : 'radio';
    input.name = 'choice';
    input.value = letter;
    label.append(input, ' ' + letter + '. ' + text);
    return label;
  }
  function draw() {
    const s = state;
    if (!s) return;
    clearInterval(timer);
    const q = s.q;
    if (s.phase === 'lobby' || s.phase === 'finished' || !q) {
      $('question').hidden = true;
      $('result').textContent = '';
      $('status').textContent = s.phase === 'finished' ? '竞赛已结束，感谢参赛！最终得分 ' + score + ' 分'
        : '已加入，等待主持人出题……（' + s.players + '人参赛）';
      return;
    }
    $('question').hidden = false;
    $('q-label').textContent = q.label;
    $('q-n').textContent = q.n;
    $('q-of').textContent = s.of;
    if ($('stem').dataset.n !== String(q.n)) {
      $('stem').dataset.n = String(q.n);
      $('stem').textContent = q.stem;
      const box = $('choices');
      box.replaceChildren();
      const options = q.kind === 'judge' ? [['正确', ''], ['错误', '']] : q.options;
      if (q.kind === 'blank') {
        $('blank').hidden = false;
        $('blank').value = '';
      } else {
        $('blank').hidden = true;
        for (const [letter, text] of options) {
          const el = choice(letter, text, q.kind === 'multiple');
          if (q.kind === 'judge') el.lastChild.textContent = ' ' + letter;
          box.append(el);
        }
      }
      $('result').textContent = '';
    }
    const answered = mine[q.n];
    const open = s.phase === 'open' && !answered;
    $('submit').disabled = !open;
    for (const input of document.querySelectorAll('#choices input, #blank')) input.disabled = !open;
    if (s.phase === 'open') {
      deadline = Date.now() + s.remaining_ms;
      tick();
      timer = setInterval(tick, 250);
      $('status').textContent = answered ? '已提交：' + answered.a + '，等待公布答案' : '请作答';
    } else if (s.phase === 'paused') {
      $('countdown').textContent = String(Math.ceil(s.remaining_ms / 1000));
      $('status').textContent = '主持人暂停了计时';
    } else if (s.phase === 'reveal') {
      $('countdown').textContent = '0';
      let text = '正确答案：' + s.correct + '。';
      if (answered) {
        const ok = right(q, answered.a, s.correct);
        if (ok && !counted[q.n]) { score += answered.if_right || 0; counted[q.n] = true; }
        text += ok ? '您答对了！' : '很遗憾，答错了。';
      } else {
        text += '本题未作答。';
      }
      $('status').textContent = text;
      $('my-score').textContent = String(score);
    }
  }
  function send() {
    const q = state && state.q;
    if (!q || !ws || ws.readyState !== 1) return;
    let a = '';
    if (q.kind === 'blank') a = $('blank').value;
    else a = Array.from(document.querySelectorAll('#choices input:checked')).map((i) => i.value).join('');
    if (!a.trim()) { $('result').textContent = '请先选择或填写答案'; return; }
    $('submit').disabled = true;
    $('result').textContent = '正在提交……';
    ws.send(JSON.stringify({ q: q.n, a }));
  }
  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    ws = new WebSocket(scheme + location.host + '/contest/' + id + '/ws');
    ws.onopen = () => { retry = 500; };
    ws.onmessage = (event) => {
      const m = JSON.parse(event.data);
      if (m.t === 'me') {
        score = m.score;
        $('my-score').textContent = String(score);
        if (m.answered) mine[m.answered.q] = { a: m.answered.a };
      } else if (m.t === 'ack') {
        if (m.ok) {
          mine[m.q] = { a: m.a, if_right: m.if_right };
          $('result').textContent = '答案已提交：' + m.a;
        } else {
          $('result').textContent = m.reason;
          $('submit').disabled = false;
        }
        draw();
      } else if (m.t === 'state') {
        state = m;
        draw();
      }
    };
    ws.onclose = () => {
      $('status').textContent = '连接中断，正在重新连接……';
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 8000);
    };
  }
  $('submit').addEventListener('click', send);
  connect();
})();
