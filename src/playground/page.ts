// The playground page: one HTML document with its style and script. The server renders every message,
// Home and modal to HTML (render.ts); the script only shows it, and turns clicks, selections, form
// submissions and the command box into acts for /playground/do.

export const PLAYGROUND_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>leadbot playground</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { margin: 0; font: 15px/1.45 -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1c1d; display: grid; grid-template-columns: 240px 1fr; height: 100vh; }
  nav { background: #3f0e40; color: #fff; padding: 12px; overflow: auto; }
  nav h1 { font-size: 17px; margin: 0 0 12px; }
  nav button.channel { display: block; width: 100%; text-align: left; background: none; border: 0; color: #e8d8e8; padding: 4px 8px; border-radius: 4px; cursor: pointer; font-size: 15px; }
  nav button.channel.current { background: #1164a3; color: #fff; }
  nav label, nav .controls { display: block; margin: 12px 0 4px; font-size: 13px; color: #e8d8e8; }
  nav select, nav input { width: 100%; box-sizing: border-box; }
  nav .controls button { margin: 2px 0; width: 100%; }
  main { display: flex; flex-direction: column; min-height: 0; }
  header { padding: 10px 16px; border-bottom: 1px solid #ddd; display: flex; justify-content: space-between; }
  #messages { flex: 1; overflow: auto; padding: 8px 16px; }
  .message { padding: 8px 0; border-bottom: 1px solid #f2f2f2; }
  .message .author { font-weight: 700; }
  .message.private { background: #f8f8e8; }
  .message.private .author::after { content: " · only you can see this"; font-weight: 400; color: #777; font-size: 12px; }
  .thread { margin: 6px 0 0 24px; padding-left: 10px; border-left: 3px solid #ddd; }
  .block { margin: 4px 0; }
  .block.header { font-weight: 700; font-size: 17px; }
  .block.context { color: #616061; font-size: 13px; }
  .block.section { display: flex; gap: 12px; justify-content: space-between; }
  .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 16px; margin-top: 4px; }
  .mention { background: #e8f5fa; color: #1264a3; border-radius: 3px; padding: 0 2px; }
  .button { border: 1px solid #bbb; background: #fff; border-radius: 4px; padding: 3px 10px; margin: 2px 6px 2px 0; cursor: pointer; font-weight: 600; }
  .button.primary { background: #007a5a; color: #fff; border-color: #007a5a; }
  .button.danger { color: #e01e5a; border-color: #e01e5a; }
  .reply { display: flex; gap: 6px; margin-top: 4px; }
  .reply input { flex: 1; }
  form#command { display: flex; gap: 8px; padding: 10px 16px; border-top: 1px solid #ddd; }
  form#command input { flex: 1; font-size: 15px; padding: 6px; }
  #modal { position: fixed; inset: 0; background: rgba(0,0,0,.45); display: none; align-items: center; justify-content: center; }
  #modal.open { display: flex; }
  #modal .window { background: #fff; border-radius: 8px; width: min(560px, 92vw); max-height: 88vh; overflow: auto; padding: 16px; }
  #modal .block.input { display: flex; flex-direction: column; gap: 4px; margin: 10px 0; }
  #modal .hint { color: #777; font-size: 12px; }
  #modal .error { color: #e01e5a; font-size: 13px; }
  #modal .buttons { display: flex; justify-content: flex-end; gap: 8px; }
  .radios label { display: block; }
</style>
</head>
<body>
<nav>
  <h1>leadbot playground</h1>
  <label for="as">Acting as</label>
  <select id="as"></select>
  <label for="status">Slack status of this user</label>
  <input id="status" placeholder=":palm_tree: Vacation">
  <label for="tz">Time zone of this user</label>
  <select id="tz">
    <option>Europe/Berlin</option><option>Europe/London</option><option>America/New_York</option>
    <option>America/Los_Angeles</option><option>Asia/Kolkata</option><option>Asia/Tokyo</option>
    <option>Australia/Sydney</option><option>UTC</option>
  </select>
  <div id="channels"></div>
  <button class="channel" id="home-tab">🏠 App Home</button>
  <div class="controls">Bot time: <span id="now"></span>
    <button data-skip="hour">Skip 1 hour</button>
    <button data-skip="day">Skip 24 hours</button>
    <button data-skip="monday">Skip to Monday 08:30</button>
  </div>
</nav>
<main>
  <header><strong id="title"></strong><span>Local mode: nothing leaves this machine</span></header>
  <div id="messages" aria-live="polite"></div>
  <form id="command"><input name="text" autocomplete="off" placeholder="/leads help"><button>Send</button></form>
</main>
<div id="modal" role="dialog"><form class="window"><h2 id="modal-title"></h2><div id="modal-body"></div><div class="error" id="modal-error"></div><div class="buttons"><button type="button" id="modal-cancel">Cancel</button><button class="button primary" id="modal-submit"></button></div></form></div>
<script>
  const state = { as: localStorage.getItem('as') || '', channel: localStorage.getItem('channel') || '', tab: 'channel', data: null };
  const $ = (id) => document.getElementById(id);

  async function act(body) {
    const response = await fetch('/playground/do', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ as: state.as, ...body }) });
    return response.json();
  }

  async function refresh() {
    const response = await fetch('/playground/state?as=' + encodeURIComponent(state.as));
    state.data = await response.json();
    state.as = state.data.as;
    render();
  }

  function render() {
    const data = state.data;
    $('as').innerHTML = data.users.map((u) => '<option value="' + u.id + '"' + (u.id === data.as ? ' selected' : '') + '>' + u.name.replace(/[<>&"]/g, '') + '</option>').join('');
    const me = data.users.find((u) => u.id === data.as);
    if (document.activeElement !== $('status')) $('status').value = me ? (me.statusEmoji + ' ' + me.statusText).trim() : '';
    if (me) $('tz').value = me.timeZone;
    if (!data.channels.some((c) => c.id === state.channel)) state.channel = data.channels[0].id;
    $('channels').innerHTML = data.channels.map((c) => '<button class="channel' + (state.tab === 'channel' && c.id === state.channel ? ' current' : '') + '" data-channel="' + c.id + '">' + c.name.replace(/[<>&"]/g, '') + ' <small>' + c.messages.length + '</small></button>').join('');
    $('home-tab').classList.toggle('current', state.tab === 'home');
    $('now').textContent = new Date(data.now).toUTCString();
    const channel = data.channels.find((c) => c.id === state.channel);
    if (state.tab === 'home') {
      $('title').textContent = 'App Home';
      $('messages').innerHTML = '<div class="home">' + (data.home || '<p>Opening…</p>') + '</div>';
    } else {
      $('title').textContent = channel.name;
      const roots = channel.messages.filter((m) => !m.threadTs || !channel.messages.some((r) => r.ts === m.threadTs));
      $('messages').innerHTML = roots.map((m) => {
        const replies = channel.messages.filter((r) => r.threadTs === m.ts && r !== m);
        return '<div class="message' + (m.private ? ' private' : '') + '" data-ts="' + m.ts + '"><div class="author">' + m.author + '</div>' + m.html +
          (replies.length ? '<div class="thread">' + replies.map((r) => '<div class="message' + (r.private ? ' private' : '') + '" data-ts="' + r.ts + '"><div class="author">' + r.author + '</div>' + r.html + '</div>').join('') + '</div>' : '') +
          (m.private ? '' : '<form class="reply" data-thread="' + m.ts + '"><input name="text" placeholder="Reply in thread…" autocomplete="off"><button>Reply</button></form>') + '</div>';
      }).join('') || '<p>No messages yet.</p>';
    }
    const modal = data.modal;
    $('modal').classList.toggle('open', Boolean(modal));
    if (modal && $('modal').dataset.view !== modal.id) {
      $('modal').dataset.view = modal.id;
      $('modal-title').innerHTML = modal.title;
      $('modal-body').innerHTML = modal.html;
      $('modal-submit').innerHTML = modal.submit;
      $('modal-error').textContent = '';
    }
    if (!modal) $('modal').dataset.view = '';
  }

  function valueOf(element) {
    const type = element.dataset.type;
    if (type === 'radio_buttons') {
      const checked = element.querySelector('input:checked');
      return checked ? { type, selected_option: { value: checked.value } } : { type, selected_option: null };
    }
    const value = element.value || null;
    if (type === 'plain_text_input') return { type, value };
    if (type === 'datepicker') return { type, selected_date: value };
    if (type === 'timepicker') return { type, selected_time: value };
    if (type === 'users_select') return { type, selected_user: value };
    return { type, selected_option: value === null ? null : { value } };
  }

  document.addEventListener('click', async (event) => {
    const target = event.target.closest('button');
    if (!target) return;
    if (target.dataset.channel) { state.channel = target.dataset.channel; state.tab = 'channel'; localStorage.setItem('channel', state.channel); render(); return; }
    if (target.id === 'home-tab') { state.tab = 'home'; render(); await act({ kind: 'home' }); return; }
    if (target.dataset.skip) { await act({ kind: 'skip', by: target.dataset.skip }); return; }
    if (target.id === 'modal-cancel') { await act({ kind: 'cancel' }); return; }
    if (target.dataset.actionId) {
      const inModal = target.closest('#modal');
      const message = target.closest('.message');
      await act({ kind: 'action', channel: state.channel, ts: message && message.dataset.ts, viewId: inModal ? $('modal').dataset.view : state.tab === 'home' ? state.data.homeId : null, actionId: target.dataset.actionId, blockId: target.dataset.blockId, type: 'button', value: target.dataset.value });
    }
  });
  document.addEventListener('change', async (event) => {
    const target = event.target;
    if (target.id === 'as') { state.as = target.value; localStorage.setItem('as', state.as); await refresh(); return; }
    if (target.id === 'tz') { await act({ kind: 'status', timeZone: target.value }); return; }
    if (target.id === 'status') { const [emoji, ...text] = target.value.trim().split(' '); await act({ kind: 'status', emoji: emoji && emoji.startsWith(':') ? emoji : '', text: emoji && emoji.startsWith(':') ? text.join(' ') : target.value.trim() }); return; }
    if (target.closest('#modal') || !target.dataset.actionId) return;
    const message = target.closest('.message');
    await act({ kind: 'action', channel: state.channel, ts: message && message.dataset.ts, actionId: target.dataset.actionId, blockId: target.dataset.blockId, type: target.dataset.type, value: target.value });
  });
  document.addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    if (form.id === 'command') {
      const text = form.text.value.trim().replace(/^\\/leads\\s*/, '');
      form.text.value = '';
      await act({ kind: 'command', channel: state.channel, text });
    } else if (form.classList.contains('reply')) {
      const text = form.text.value;
      form.text.value = '';
      if (text.trim()) await act({ kind: 'reply', channel: state.channel, threadTs: form.dataset.thread, text });
    } else if (form.closest('#modal')) {
      const values = {};
      for (const element of $('modal-body').querySelectorAll('[data-action-id]')) {
        values[element.dataset.blockId] = values[element.dataset.blockId] || {};
        values[element.dataset.blockId][element.dataset.actionId] = valueOf(element);
      }
      const answer = await act({ kind: 'submit', viewId: $('modal').dataset.view, values });
      $('modal-error').textContent = answer.errors ? Object.values(answer.errors).join(' ') : '';
    }
  });

  new EventSource('/playground/events').onmessage = () => refresh();
  refresh();
</script>
</body>
</html>
`;
