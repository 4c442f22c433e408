// Confab web client. Speaks protocol confab.v1 (docs/PROTOCOL.md) over a WebSocket to the
// room that served this page, the same way the desktop client does: hello/welcome, resume
// by seq after any drop, an outbox of unacked messages that survives reloads.
//
// Safety rule for this file: whatever other people wrote (messages, nicknames, the room's
// name, error sentences) reaches the page only through textContent / createTextNode, never
// innerHTML. Links are <a> elements whose href has been parsed and checked to be http(s).
'use strict';

(() => {
    const SUBPROTOCOL = 'confab.v1';
    const PROTOCOL_VERSION = 1;
    const PAGE_SIZE = 100; // "load older" asks for this many
    const CATCH_UP_PAGE = 500; // after a long absence, missed messages come in pages this big
    const MAX_IN_FLIGHT = 10; // unacked chats on the wire at once, so a long paste never floods
    const TYPING_EVERY_MS = 3000; // send "typing" at most this often while typing
    const TYPING_IDLE_MS = 5000; // no key for this long counts as having stopped
    const TYPING_SHOWN_MS = 7000; // someone's indicator fades if their "stopped" never comes
    const BACKOFF_FIRST_MS = 500;
    const BACKOFF_MAX_MS = 30000;
    const PING_AFTER_MS = 25000; // silence after which we ask the room whether it is there
    const DEAD_AFTER_MS = 40000; // silence after which the connection is given up as dead

    const KEY_NICK = 'confab.nick'; // localStorage: the nickname, remembered across visits
    const KEY_OUTBOX = 'confab.outbox'; // localStorage: messages not yet acked, by nickname
    const KEY_TOKEN = 'confab.resumeToken'; // sessionStorage: this tab's membership

    const $ = (id) => document.getElementById(id);
    const ui = {
        body: document.body,
        roomName: $('room-name'),
        conn: $('conn'),
        connText: $('conn-text'),
        membersToggle: $('members-toggle'),
        memberCount: $('member-count'),
        me: $('me'),
        scroller: $('scroller'),
        older: $('older'),
        start: $('start'),
        messages: $('messages'),
        pending: $('pending'),
        typing: $('typing'),
        composer: $('composer'),
        input: $('input'),
        members: $('members'),
        memberList: $('member-list'),
        join: $('join'),
        joinForm: $('join-form'),
        joinTitle: $('join-title'),
        nick: $('nick'),
        passwordRow: $('password-row'),
        password: $('password'),
        joinError: $('join-error'),
    };

    const state = {
        nick: storageGet(localStorage, KEY_NICK) || '', // what we ask for
        myNick: '', // what the room calls us (its welcome's `nick`)
        password: '',
        needPassword: false,
        resumeToken: storageGet(sessionStorage, KEY_TOKEN) || '',
        ws: null,
        generation: 0, // bumps with every connection, so stale timers can tell
        joined: false,
        stopped: false, // waiting for the user (nickname, password, replaced): no reconnect
        changingNick: false, // the join card is open by choice, not because joining failed
        retryDelayMs: BACKOFF_FIRST_MS,
        retryTimer: 0,
        retryAt: 0,
        lastHeard: 0,
        pingCount: 0,
        // Messages: seqs holds every seq shown, sorted; bySeq maps each to its element.
        seqs: [],
        bySeq: new Map(),
        syncedSeq: -1, // every message up to here is held; -1 before the first welcome
        catchingUp: false, // paging forward after a resume; live chats wait beyond the gap
        askedAfter: -1, // the catch-up page asked for (a repeated answer asks nothing more)
        olderExists: false,
        loadingOlder: false,
        outbox: [], // { clientId, text, nick, status: queued|sent|waiting|failed, el }
        window: MAX_IN_FLIGHT, // 1 after a rate limit, until the outbox is empty again
        ackedEls: new Map(), // seq -> pending element acked, until the room's chat replaces it
        members: new Map(), // lower-cased nick -> { nick, away }
        typers: new Map(), // nick -> timer that hides it
        typingSupported: true,
        typingActive: false,
        typingSentAt: 0,
        typingIdleTimer: 0,
    };

    // --- small helpers ----------------------------------------------------------------------

    // Storage can throw (private mode, quota, disabled cookies): the client works without it.
    function storageGet(store, key) {
        try {
            return store.getItem(key);
        } catch {
            return null;
        }
    }

    function storageSet(store, key, value) {
        try {
            if (value === null || value === '') store.removeItem(key);
            else store.setItem(key, value);
        } catch {
            /* not persisted; still works for this page's life */
        }
    }

    function el(tag, className, text) {
        const node = document.createElement(tag);
        if (className) node.className = className;
        if (text !== undefined) node.textContent = text;
        return node;
    }

    const nickKey = (nick) => String(nick).toLowerCase();

    // crypto.randomUUID exists only in secure contexts, and a room on the LAN is usually
    // plain http://, so build a version-4 UUID from getRandomValues when it is missing.
    function newClientId() {
        if (crypto.randomUUID) return crypto.randomUUID();
        const b = crypto.getRandomValues(new Uint8Array(16));
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }

    function formatTime(iso) {
        const d = new Date(iso);
        if (Number.isNaN(d.getTime())) return { short: '', long: '' };
        return {
            short: d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
            long: d.toLocaleString(),
        };
    }

    function nearBottom() {
        const s = ui.scroller;
        return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
    }

    function scrollToBottom() {
        ui.scroller.scrollTop = ui.scroller.scrollHeight;
    }

    // --- text with links ------------------------------------------------------------------

    const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
    const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/; // belongs to the sentence, not the link

    // The href is what URL() made of it, and only http: and https: pass: no javascript:,
    // data: or anything else a crafted message might try.
    function safeHref(text) {
        try {
            const url = new URL(text);
            return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
        } catch {
            return null;
        }
    }

    function appendTextWithLinks(parent, text) {
        let done = 0;
        for (const match of text.matchAll(URL_PATTERN)) {
            const shown = match[0].replace(TRAILING_PUNCTUATION, '');
            const href = safeHref(shown);
            if (!href) continue;
            parent.appendChild(document.createTextNode(text.slice(done, match.index)));
            const a = el('a', '', shown);
            a.href = href;
            a.target = '_blank';
            a.rel = 'noopener noreferrer nofollow';
            parent.appendChild(a);
            done = match.index + shown.length;
        }
        parent.appendChild(document.createTextNode(text.slice(done)));
    }

    // --- the message list -----------------------------------------------------------------

    function renderMessage(m) {
        const li = el('li', m.from === state.myNick ? 'msg mine' : 'msg');
        li.dataset.seq = String(m.seq);
        const meta = el('div', 'meta');
        meta.appendChild(el('span', 'from', m.from));
        const t = formatTime(m.time);
        const time = el('time', '', t.short);
        time.dateTime = m.time;
        time.title = t.long;
        meta.appendChild(time);
        // A direct message reaches only its two parties; say so, or it reads as public.
        if (typeof m.to === 'string' && m.to) {
            li.classList.add('private');
            meta.appendChild(el('span', 'private-tag',
                m.from === state.myNick ? `private to ${m.to}` : 'private'));
        }
        li.appendChild(meta);
        const body = el('div', 'text');
        if (m.deleted === true) {
            body.classList.add('deleted');
            body.textContent = 'message deleted';
        } else {
            appendTextWithLinks(body, m.text);
            if (m.edited === true) body.appendChild(el('span', 'edited', ' (edited)'));
        }
        li.appendChild(body);
        if (Array.isArray(m.reactions) && m.reactions.length && m.deleted !== true) {
            const chips = el('div', 'reactions');
            for (const r of m.reactions) {
                if (!r || typeof r.emoji !== 'string' || !Array.isArray(r.nicks)) continue;
                const chip = el('span', 'reaction', `${r.emoji} ${r.nicks.length}`);
                chip.title = r.nicks.filter((n) => typeof n === 'string').join(', ');
                chips.appendChild(chip);
            }
            li.appendChild(chips);
        }
        return li;
    }

    // A stored message changed (edited, deleted, reactions): redraw it where it is.
    function updateMessage(m) {
        if (!isMessage(m)) return;
        const old = state.bySeq.get(m.seq);
        if (!old) return; // not loaded here: it arrives as it now is with history
        const li = renderMessage(m);
        old.replaceWith(li);
        state.bySeq.set(m.seq, li);
    }

    function isMessage(m) {
        return m && Number.isSafeInteger(m.seq) && typeof m.from === 'string'
            && typeof m.text === 'string';
    }

    // Index of the first held seq greater than `seq` (binary search: batches of 500 arrive
    // on resume, and most land at the end anyway).
    function positionAfter(seq) {
        let lo = 0;
        let hi = state.seqs.length;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (state.seqs[mid] > seq) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    // Shows messages in seq order. The same message can arrive more than once (welcome
    // history, catch-up pages, live chat, after a reconnect): seq decides, shown once.
    function addMessages(list) {
        for (const m of list) {
            if (!isMessage(m) || state.bySeq.has(m.seq)) continue;
            const acked = state.ackedEls.get(m.seq);
            if (acked) {
                acked.remove();
                state.ackedEls.delete(m.seq);
            }
            const li = renderMessage(m);
            const at = positionAfter(m.seq);
            if (at === state.seqs.length) ui.messages.appendChild(li);
            else ui.messages.insertBefore(li, state.bySeq.get(state.seqs[at]));
            state.seqs.splice(at, 0, m.seq);
            state.bySeq.set(m.seq, li);
        }
        updateOlder();
    }

    function addNotice(text) {
        ui.messages.appendChild(el('li', 'notice', text));
    }

    function clearMessages() {
        ui.messages.textContent = '';
        state.seqs = [];
        state.bySeq.clear();
    }

    function highestSeq() {
        return state.seqs.length ? state.seqs[state.seqs.length - 1] : 0;
    }

    function updateOlder() {
        const canAsk = state.olderExists && state.seqs.length > 0;
        ui.older.hidden = !canAsk;
        ui.older.disabled = state.loadingOlder || !state.joined;
        ui.older.textContent = state.loadingOlder ? 'Loading…' : 'Load older messages';
        ui.start.hidden = state.olderExists || state.seqs.length === 0;
    }

    function loadOlder() {
        if (!state.joined || state.loadingOlder || !state.seqs.length) return;
        state.loadingOlder = true;
        updateOlder();
        send({ type: 'history', before: state.seqs[0], limit: PAGE_SIZE });
    }

    // Older messages go in above what the reader is looking at, which must not move.
    function addOlder(list) {
        const fromBottom = ui.scroller.scrollHeight - ui.scroller.scrollTop;
        addMessages(list);
        ui.scroller.scrollTop = ui.scroller.scrollHeight - fromBottom;
    }

    // Live additions follow the bottom only if the reader was there already.
    function addLive(list) {
        const follow = nearBottom();
        addMessages(list);
        if (follow) scrollToBottom();
    }

    // --- outbox ---------------------------------------------------------------------------

    // Unacked messages live in localStorage so a reload or a closed tab does not lose them.
    // Other nicknames' entries (another tab) are kept as they are.
    function readStoredOutbox() {
        try {
            const list = JSON.parse(storageGet(localStorage, KEY_OUTBOX) || '[]');
            return Array.isArray(list) ? list.filter((e) => e && typeof e.clientId === 'string'
                && typeof e.text === 'string' && typeof e.nick === 'string') : [];
        } catch {
            return [];
        }
    }

    function saveOutbox() {
        const mine = new Set(state.outbox.map((e) => e.clientId));
        const ownKey = nickKey(state.myNick || state.nick);
        const others = readStoredOutbox().filter((e) => nickKey(e.nick) !== ownKey
            && !mine.has(e.clientId));
        const keep = state.outbox.filter((e) => e.status !== 'failed')
            .map(({ clientId, text, nick }) => ({ clientId, text, nick }));
        const all = others.concat(keep);
        storageSet(localStorage, KEY_OUTBOX, all.length ? JSON.stringify(all) : null);
    }

    // Takes over the stored entries of the nickname we are about to use.
    function adoptStoredOutbox() {
        const key = nickKey(state.nick);
        const have = new Set(state.outbox.map((e) => e.clientId));
        for (const stored of readStoredOutbox()) {
            if (nickKey(stored.nick) !== key || have.has(stored.clientId)) continue;
            const entry = { ...stored, status: 'queued', el: null };
            entry.el = renderPending(entry);
            state.outbox.push(entry);
        }
    }

    function renderPending(entry) {
        const li = el('li', 'msg mine pending');
        li.dataset.clientId = entry.clientId;
        const meta = el('div', 'meta');
        meta.appendChild(el('span', 'from', state.myNick || entry.nick));
        li.appendChild(meta);
        const body = el('div', 'text');
        appendTextWithLinks(body, entry.text);
        li.appendChild(body);
        li.appendChild(el('div', 'status'));
        ui.pending.appendChild(li);
        entry.el = li;
        showEntryState(entry);
        return li;
    }

    function showEntryState(entry) {
        const li = entry.el;
        if (!li) return;
        const status = li.querySelector('.status');
        li.dataset.state = entry.status === 'failed' ? 'failed' : 'sending';
        status.textContent = '';
        if (entry.status !== 'failed') {
            status.textContent = 'sending…';
            return;
        }
        status.appendChild(el('span', 'why', `Not sent: ${entry.error}`));
        const remove = el('button', 'remove', 'Remove');
        remove.type = 'button';
        remove.addEventListener('click', () => {
            state.outbox = state.outbox.filter((e) => e !== entry);
            li.remove();
        });
        status.appendChild(remove);
    }

    function queueMessage(text) {
        const entry = { clientId: newClientId(), text, nick: state.myNick || state.nick,
            status: 'queued', el: null };
        entry.el = renderPending(entry);
        state.outbox.push(entry);
        saveOutbox();
        scrollToBottom();
        pump();
    }

    // Sends queued entries in order, at most MAX_IN_FLIGHT unacked at once. An entry that
    // waits out a rate limit holds back the ones after it, so the order stays as typed.
    function pump() {
        if (!state.joined) return;
        if (!state.outbox.length) state.window = MAX_IN_FLIGHT;
        let inFlight = state.outbox.filter((e) => e.status === 'sent').length;
        for (const entry of state.outbox) {
            if (inFlight >= state.window || entry.status === 'waiting') break;
            if (entry.status !== 'queued') continue;
            send({ type: 'chat', clientId: entry.clientId, text: entry.text });
            entry.status = 'sent';
            inFlight += 1;
        }
    }

    function findEntry(clientId) {
        return state.outbox.find((e) => e.clientId === clientId);
    }

    function onAck(m) {
        const entry = findEntry(m.clientId);
        if (!entry) return;
        state.outbox = state.outbox.filter((e) => e !== entry);
        saveOutbox();
        // The room's own chat (with its time) replaces the pending line; if we hold that
        // seq already (it came in a resume's history), the pending line just goes.
        if (state.bySeq.has(m.seq)) {
            entry.el.remove();
        } else {
            entry.el.dataset.state = 'sent';
            entry.el.querySelector('.status').textContent = '';
            state.ackedEls.set(m.seq, entry.el);
        }
        pump();
    }

    function onChatRefused(entry, m) {
        if (m.code === 'rate-limited' || m.code === 'store-failed') {
            // Temporary: keep it and send it again (same clientId) after the room's wait,
            // and from now on one at a time, at the pace the room accepts.
            entry.status = 'waiting';
            state.window = 1;
            const generation = state.generation;
            const wait = Number.isFinite(m.retryAfterMs) ? m.retryAfterMs : 2000;
            setTimeout(() => {
                if (entry.status !== 'waiting' || generation !== state.generation) return;
                entry.status = 'queued';
                pump();
            }, Math.max(50, wait));
            return;
        }
        // Final for this message (empty, too long, ...): say why, in the room's words.
        entry.status = 'failed';
        entry.error = typeof m.message === 'string' ? m.message : m.code;
        showEntryState(entry);
        saveOutbox();
        pump();
    }

    // --- members and typing ---------------------------------------------------------------

    function setMember(nick, status) {
        state.members.set(nickKey(nick), { nick, away: status === 'away' });
    }

    function setMembers(list) {
        state.members.clear();
        for (const m of Array.isArray(list) ? list : []) {
            if (m && typeof m.nick === 'string') setMember(m.nick, m.status);
        }
        renderMembers();
    }

    // Rooms that know presence say "away" for idle members; older rooms say nothing.
    function onPresence(m) {
        if (typeof m.nick !== 'string' || !state.members.has(nickKey(m.nick))) return;
        setMember(m.nick, m.status);
        renderMembers();
    }

    function renderMembers() {
        const list = Array.from(state.members.values()).sort((a, b) => a.nick.localeCompare(b.nick));
        ui.memberList.textContent = '';
        for (const { nick, away } of list) {
            const li = el('li', away ? 'away' : '', nick);
            if (nick === state.myNick) li.appendChild(el('span', 'note', ' (you)'));
            if (away) li.appendChild(el('span', 'note', ' (away)'));
            ui.memberList.appendChild(li);
        }
        ui.memberCount.textContent = String(list.length);
    }

    function clearTyper(nick) {
        const timer = state.typers.get(nick);
        if (timer === undefined) return;
        clearTimeout(timer);
        state.typers.delete(nick);
        renderTyping();
    }

    function onTyping(m) {
        if (typeof m.nick !== 'string' || m.nick === state.myNick) return;
        clearTyper(m.nick);
        if (m.active === true) {
            state.typers.set(m.nick, setTimeout(() => clearTyper(m.nick), TYPING_SHOWN_MS));
            renderTyping();
        }
    }

    function renderTyping() {
        const names = Array.from(state.typers.keys());
        let text = '';
        if (names.length === 1) text = `${names[0]} is typing…`;
        else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
        else if (names.length === 3) text = `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
        else if (names.length > 3) text = 'Several people are typing…';
        ui.typing.textContent = text;
    }

    // Tells the room we typed or stopped. "active" goes at most every TYPING_EVERY_MS; a
    // room that does not know "typing" (older servers) answers unknown-type once, and then
    // we stop telling it.
    function setTyping(active) {
        clearTimeout(state.typingIdleTimer);
        if (active) state.typingIdleTimer = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
        const now = Date.now();
        if (active && state.typingActive && now - state.typingSentAt < TYPING_EVERY_MS) return;
        if (!active && !state.typingActive) return;
        state.typingActive = active;
        if (active) state.typingSentAt = now;
        if (state.joined && state.typingSupported) send({ type: 'typing', active });
    }

    // --- the connection -------------------------------------------------------------------

    function setConn(kind, text) {
        ui.body.dataset.conn = kind;
        ui.connText.textContent = text;
    }

    function send(message) {
        if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
    }

    function roomUrl() {
        return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/`;
    }

    function connect() {
        cancelRetry();
        if (state.ws || state.stopped) return;
        state.generation += 1;
        setConn('connecting', 'Connecting…');
        let ws;
        try {
            ws = new WebSocket(roomUrl(), SUBPROTOCOL);
        } catch {
            scheduleReconnect();
            return;
        }
        state.ws = ws;
        ws.onopen = () => sendHello();
        ws.onmessage = (event) => onFrame(ws, event);
        ws.onclose = (event) => onClosed(ws, event.code);
    }

    function sendHello() {
        adoptStoredOutbox();
        const hello = { type: 'hello', version: PROTOCOL_VERSION, nick: state.nick };
        // Resume: the room sends what came after the last seq we hold completely, and the
        // token lets this connection replace our old one if the room has not noticed it died.
        if (state.syncedSeq >= 0) hello.lastSeq = state.syncedSeq;
        if (state.resumeToken) hello.resumeToken = state.resumeToken;
        if (state.password) hello.password = state.password;
        state.lastHeard = Date.now();
        send(hello);
    }

    // Forget the socket at once (its close event may take long on a dead network), then
    // come back later.
    function dropConnection(code) {
        const ws = state.ws;
        if (!ws) return;
        ws.onopen = ws.onmessage = ws.onclose = null;
        try {
            ws.close(code);
        } catch {
            /* already closing */
        }
        onClosed(ws, code);
    }

    function onClosed(ws, code) {
        if (ws !== state.ws) return;
        state.ws = null;
        state.joined = false;
        state.generation += 1; // waits for a rate limit started on that connection are void
        for (const entry of state.outbox) {
            if (entry.status === 'sent' || entry.status === 'waiting') entry.status = 'queued';
        }
        for (const nick of Array.from(state.typers.keys())) clearTyper(nick);
        state.typingActive = false;
        state.loadingOlder = false;
        updateOlder();
        if (code === 4000) {
            stop('This room speaks another version of Confab. Reload the page.');
        } else if (code === 4002) {
            stop('You joined this room from another window.');
            askNickname('You joined this room from another window. Join here again?');
        } else if (code === 4003 && !state.stopped) {
            askPassword('This room needs a password.');
        } else if (!state.stopped) {
            scheduleReconnect();
        }
    }

    function stop(text) {
        state.stopped = true;
        cancelRetry();
        setConn('stopped', text);
    }

    function cancelRetry() {
        clearTimeout(state.retryTimer);
        state.retryTimer = 0;
    }

    // 0.5 s doubling to 30 s, each ±20 % at random, so that a room that restarts is not
    // hit by every browser in the same instant.
    function scheduleReconnect() {
        const delay = state.retryDelayMs * (0.8 + 0.4 * Math.random());
        state.retryDelayMs = Math.min(BACKOFF_MAX_MS, state.retryDelayMs * 2);
        state.retryAt = Date.now() + delay;
        state.retryTimer = setTimeout(connect, delay);
        showRetry();
    }

    function showRetry() {
        if (!state.retryTimer) return;
        const seconds = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000));
        setConn('offline', seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…');
    }

    function retryNow() {
        if (state.ws || state.stopped) return;
        state.retryDelayMs = BACKOFF_FIRST_MS;
        connect();
    }

    // A quiet connection is asked whether it is alive; one that stays silent is dropped
    // and resumed. (Browsers cannot send WebSocket pings, hence the protocol's own.)
    function heartbeat() {
        showRetry();
        if (!state.joined) return;
        const silent = Date.now() - state.lastHeard;
        if (silent > DEAD_AFTER_MS) dropConnection(1000);
        else if (silent > PING_AFTER_MS) send({ type: 'ping', token: `p-${++state.pingCount}` });
    }

    // --- what the room says ---------------------------------------------------------------

    function onFrame(ws, event) {
        if (ws !== state.ws) return;
        state.lastHeard = Date.now();
        let m;
        try {
            m = JSON.parse(event.data);
        } catch {
            return;
        }
        if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
        const handler = handlers[m.type];
        if (handler) handler(m);
        // Unknown types are skipped: a newer room may add some (PROTOCOL.md §11).
    }

    const handlers = {
        welcome: onWelcome,
        chat: (m) => {
            if (typeof m.from === 'string') clearTyper(m.from); // their message is here
            addLive([m]);
            if (!state.catchingUp && isMessage(m)) state.syncedSeq = Math.max(state.syncedSeq, m.seq);
        },
        ack: onAck,
        update: updateMessage,
        history: onHistory,
        joined: (m) => {
            if (typeof m.nick !== 'string') return;
            setMember(m.nick, 'online');
            renderMembers();
            addNoticeLive(`${m.nick} joined`);
        },
        left: (m) => {
            if (typeof m.nick !== 'string') return;
            state.members.delete(nickKey(m.nick));
            renderMembers();
            clearTyper(m.nick);
            addNoticeLive(`${m.nick} left`);
        },
        members: (m) => setMembers(m.members),
        typing: onTyping,
        presence: onPresence,
        ping: (m) => send({ type: 'pong', token: typeof m.token === 'string' ? m.token : '' }),
        pong: () => {},
        error: onError,
    };

    function addNoticeLive(text) {
        const follow = nearBottom();
        addNotice(text);
        if (follow) scrollToBottom();
    }

    function onWelcome(m) {
        const resumed = state.syncedSeq >= 0;
        state.joined = true;
        state.retryDelayMs = BACKOFF_FIRST_MS;
        state.typingSupported = true;
        state.myNick = typeof m.nick === 'string' ? m.nick : state.nick;
        state.nick = state.myNick;
        state.resumeToken = typeof m.resumeToken === 'string' ? m.resumeToken : '';
        storageSet(localStorage, KEY_NICK, state.myNick);
        storageSet(sessionStorage, KEY_TOKEN, state.resumeToken);
        if (!state.changingNick) hideJoin(); // a reconnect must not close what the user opened
        if (typeof m.room === 'string' && m.room) {
            ui.roomName.textContent = m.room;
            document.title = `${m.room} — Confab`;
        }
        ui.me.textContent = state.myNick;
        setMembers(m.members);
        const roomLast = Number.isSafeInteger(m.lastSeq) ? m.lastSeq : 0;
        const history = Array.isArray(m.history) ? m.history : [];
        const follow = !resumed || nearBottom();
        if (resumed && roomLast < state.syncedSeq) {
            // The room's history was started anew (another data directory): what we show
            // is not its history any more. Show its newest page instead.
            clearMessages();
            addNotice('The room has started a new history.');
            state.syncedSeq = roomLast;
            state.olderExists = false;
            if (roomLast > 0) {
                state.loadingOlder = true;
                send({ type: 'history', before: roomLast + 1, limit: PAGE_SIZE });
            }
        } else {
            addMessages(history);
            if (!resumed) state.olderExists = m.hasOlder === true;
        }
        const last = history.length ? history[history.length - 1].seq : state.syncedSeq;
        if (m.hasNewer === true && Number.isSafeInteger(last)) {
            state.catchingUp = true;
            state.syncedSeq = Math.max(state.syncedSeq, last);
            askAfter(last);
        } else {
            state.catchingUp = false;
            state.syncedSeq = Math.max(state.syncedSeq, roomLast);
        }
        updateOlder();
        setConn('online', 'Connected');
        if (follow) scrollToBottom();
        // Everything not acked goes again with its own clientId: the room stores each once.
        for (const entry of state.outbox) {
            if (entry.status !== 'failed') entry.status = 'queued';
        }
        pump();
        if (ui.input.value.trim()) setTyping(true);
    }

    function onHistory(m) {
        const list = Array.isArray(m.messages) ? m.messages : [];
        if (Number.isSafeInteger(m.before)) {
            state.loadingOlder = false;
            state.olderExists = m.hasMore === true;
            addOlder(list);
            return;
        }
        if (!Number.isSafeInteger(m.after)) return;
        addLive(list);
        if (!state.catchingUp || m.after !== state.askedAfter) return; // not the page we wait for
        const last = list.length ? list[list.length - 1].seq : m.after;
        if (!Number.isSafeInteger(last)) return;
        // A catch-up page continues without a gap from what we held.
        state.syncedSeq = Math.max(state.syncedSeq, last);
        if (m.hasMore === true && last > m.after) {
            askAfter(last);
            return;
        }
        // Caught up: the live chats that came meanwhile lie right after the gap we filled.
        state.catchingUp = false;
        state.syncedSeq = Math.max(state.syncedSeq, last, highestSeq());
    }

    function askAfter(seq) {
        state.askedAfter = seq;
        send({ type: 'history', after: seq, limit: CATCH_UP_PAGE });
    }

    function onError(m) {
        const entry = typeof m.clientId === 'string' ? findEntry(m.clientId) : null;
        if (entry) {
            onChatRefused(entry, m);
            return;
        }
        const sentence = typeof m.message === 'string' ? m.message : String(m.code);
        switch (m.code) {
        case 'bad-password':
            // The room closes with 4003 next; the user must answer before we try again.
            state.stopped = true;
            askPassword(sentence);
            break;
        case 'nick-taken':
        case 'nick-invalid':
            state.stopped = true;
            dropConnection(1000);
            askNickname(sentence);
            break;
        case 'version-mismatch':
            stop(sentence);
            break;
        case 'unknown-type':
            // Only "typing" can be new to an older room: stop sending it on this connection.
            state.typingSupported = false;
            break;
        case 'rate-limited':
            break; // a request (not a chat) was dropped; nothing to lose
        default:
            console.warn('confab: the room said', m.code, sentence);
        }
    }

    // --- joining: nickname and password ---------------------------------------------------

    function showJoin(title, error) {
        ui.joinTitle.textContent = title;
        ui.joinError.textContent = error || '';
        ui.nick.value = state.nick;
        ui.passwordRow.hidden = !state.needPassword;
        ui.join.hidden = false;
        (state.needPassword && state.nick ? ui.password : ui.nick).focus();
    }

    function hideJoin() {
        ui.join.hidden = true;
        state.changingNick = false;
    }

    function askNickname(error) {
        state.changingNick = false;
        setConn('stopped', 'Not joined');
        showJoin('Join the room', error);
    }

    function askPassword(error) {
        state.changingNick = false;
        state.needPassword = true;
        state.password = '';
        ui.password.value = '';
        setConn('stopped', 'Password needed');
        showJoin('This room has a password', error);
    }

    function onJoinSubmit(event) {
        event.preventDefault();
        const nick = ui.nick.value.trim();
        if (!nick) {
            ui.joinError.textContent = 'Choose a nickname.';
            return;
        }
        if (nickKey(nick) !== nickKey(state.nick)) {
            // A token belongs to one membership, and pending messages follow the person.
            state.resumeToken = '';
            storageSet(sessionStorage, KEY_TOKEN, null);
            for (const entry of state.outbox) entry.nick = nick;
        }
        state.nick = nick;
        storageSet(localStorage, KEY_NICK, nick);
        if (state.needPassword) state.password = ui.password.value;
        hideJoin();
        state.stopped = false;
        state.retryDelayMs = BACKOFF_FIRST_MS;
        if (state.ws) dropConnection(1000); // changing nickname: leave, then join as the new one
        connect();
    }

    // --- the composer ---------------------------------------------------------------------

    function autoGrow() {
        ui.input.style.height = 'auto';
        ui.input.style.height = `${Math.min(ui.input.scrollHeight, window.innerHeight * 0.4)}px`;
    }

    function submitInput() {
        const text = ui.input.value;
        if (!text.trim()) return;
        ui.input.value = '';
        autoGrow();
        setTyping(false);
        queueMessage(text);
    }

    function onKeyDown(event) {
        // Enter sends, Shift+Enter is a new line. While an input method is composing
        // (Korean, Japanese, ...) Enter belongs to it and must not send half a syllable.
        if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
        event.preventDefault();
        submitInput();
    }

    function onInput() {
        autoGrow();
        setTyping(ui.input.value.trim() !== '');
    }

    // --- start ----------------------------------------------------------------------------

    ui.composer.addEventListener('submit', (event) => {
        event.preventDefault();
        submitInput();
        ui.input.focus();
    });
    ui.input.addEventListener('keydown', onKeyDown);
    ui.input.addEventListener('input', onInput);
    ui.older.addEventListener('click', loadOlder);
    ui.joinForm.addEventListener('submit', onJoinSubmit);
    ui.me.addEventListener('click', () => {
        state.changingNick = true;
        showJoin('Change your nickname', '');
    });
    ui.join.addEventListener('click', (event) => {
        // A click beside the card closes it when we are in the room anyway.
        if (event.target === ui.join && state.joined) hideJoin();
    });
    ui.conn.addEventListener('click', retryNow);
    ui.membersToggle.addEventListener('click', () => {
        const open = ui.body.classList.toggle('show-members');
        ui.membersToggle.setAttribute('aria-expanded', String(open));
    });
    window.addEventListener('online', retryNow);
    document.addEventListener('visibilitychange', () => {
        // A phone waking up: check at once whether the connection survived the sleep.
        if (document.visibilityState === 'visible' && state.joined) {
            send({ type: 'ping', token: `p-${++state.pingCount}` });
        } else if (document.visibilityState === 'visible') {
            retryNow();
        }
    });
    setInterval(heartbeat, 1000);

    if (state.nick) {
        adoptStoredOutbox();
        connect();
    } else {
        askNickname('');
    }
})();
