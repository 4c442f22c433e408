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

    // --- the page's own words ---------------------------------------------------------------
    //
    // Every sentence the page makes itself, per language; other people's words (messages,
    // nicknames, file names) and the room's own sentences (its error messages) are shown as
    // they come. A value is a string or a function of the values it shows. Korean follows
    // the desktop app's translations/confab_ko.ts: 대화방, 닉네임, 개인 메시지, 자리 비움,
    // 내려받기, 파일 보내기, and the polite 합니다체. index.html holds the English as a
    // fallback and names its keys in data-text / data-text-ATTRIBUTE.
    const TEXT = {
        en: {
            // index.html
            connecting: 'Connecting…',
            membersToggle: 'Who is in the room',
            membersHere: ' here', // after the number of members
            changeNick: 'Change your nickname',
            loadOlder: 'Load older messages',
            loadingOlder: 'Loading…',
            roomStart: 'This is the start of the room.',
            messagesLabel: 'Messages',
            pendingLabel: 'Your messages not yet delivered',
            transfersLabel: 'Files being shared',
            shareFile: 'Share a file',
            composerPlaceholder: 'Message',
            composerLabel: 'Message',
            send: 'Send',
            membersLabel: 'Members',
            inTheRoom: 'In the room',
            joinTitle: 'Join the room',
            nickLabel: 'Your nickname',
            passwordLabel: 'The room\'s password',
            join: 'Join',
            close: 'Close',
            dropHint: 'Drop files here to share them',
            // messages
            privateTo: (nick) => `private to ${nick}`,
            privateFrom: 'private',
            deleted: 'message deleted',
            edited: ' (edited)',
            sending: 'sending…',
            notSent: (why) => `Not sent: ${why}`,
            remove: 'Remove',
            memberYou: ' (you)',
            memberAway: ' (away)',
            typing1: (a) => `${a} is typing…`,
            typing2: (a, b) => `${a} and ${b} are typing…`,
            typing3: (a, b, c) => `${a}, ${b} and ${c} are typing…`,
            typingMany: 'Several people are typing…',
            joinedNotice: (nick) => `${nick} joined`,
            leftNotice: (nick) => `${nick} left`,
            newHistory: 'The room has started a new history.',
            // the connection
            connected: 'Connected',
            reconnectingIn: (seconds) => `Reconnecting in ${seconds} s`,
            reconnecting: 'Reconnecting…',
            notJoined: 'Not joined',
            passwordNeeded: 'Password needed',
            otherVersion: 'This room speaks another version of Confab. Reload the page.',
            replaced: 'You joined this room from another window.',
            replacedJoinAgain: 'You joined this room from another window. Join here again?',
            needsPassword: 'This room needs a password.',
            // joining
            passwordTitle: 'This room has a password',
            changeNickTitle: 'Change your nickname',
            chooseNick: 'Choose a nickname.',
            // files
            filePreparing: 'Preparing…',
            fileWaiting: 'Waiting to send…',
            fileSending: (percent) => `Sending… ${percent} %`,
            fileOffline: 'Waiting for the connection…',
            fileReadFailed: 'The file could not be read any more.',
            fileCancel: 'Cancel',
            download: 'Download',
            downloading: (percent) => `Downloading… ${percent} %`,
            downloadFailed: (why) => `Not downloaded: ${why}`,
            fileCorrupt: 'The file did not arrive as it was shared (its SHA-256 does not match).',
            fileGone: 'That file is not in the room any more.',
            openImage: (name) => `Open ${name} full size`,
            // a refused upload, by the room's error code
            'upload:file-too-big': 'It is bigger than this room accepts.',
            'upload:storage-full': 'The room has no space left for files.',
            'upload:file-corrupt': 'It changed or was damaged on the way; nothing was stored.',
            'upload:too-many-uploads': 'Too many files at once; try again.',
            'upload:store-failed': 'The room could not store it; try again.',
            'upload:not-allowed': 'This room does not take files.',
            'upload:not-found': 'The room no longer knows this upload.',
        },
        ko: {
            connecting: '연결 중…',
            membersToggle: '대화방에 있는 사람',
            membersHere: '명 참여 중',
            changeNick: '닉네임 바꾸기',
            loadOlder: '이전 메시지 불러오기',
            loadingOlder: '불러오는 중…',
            roomStart: '여기가 대화방의 시작입니다.',
            messagesLabel: '메시지',
            pendingLabel: '아직 전달되지 않은 내 메시지',
            transfersLabel: '공유 중인 파일',
            shareFile: '파일 보내기',
            composerPlaceholder: '메시지 입력',
            composerLabel: '메시지',
            send: '보내기',
            membersLabel: '참여자',
            inTheRoom: '대화방에 있는 사람',
            joinTitle: '대화방 참여',
            nickLabel: '닉네임',
            passwordLabel: '대화방 비밀번호',
            join: '참여',
            close: '닫기',
            dropHint: '여기에 파일을 놓으면 공유합니다',
            privateTo: (nick) => `${nick} 님에게 보낸 개인 메시지`,
            privateFrom: '개인 메시지',
            deleted: '삭제된 메시지',
            edited: ' (수정됨)',
            sending: '보내는 중…',
            notSent: (why) => `보내지 못했습니다: ${why}`,
            remove: '지우기',
            memberYou: ' (나)',
            memberAway: ' (자리 비움)',
            typing1: (a) => `${a} 님이 입력 중…`,
            typing2: (a, b) => `${a} 님과 ${b} 님이 입력 중…`,
            typing3: (a, b, c) => `${a}, ${b}, ${c} 님이 입력 중…`,
            typingMany: '여러 사람이 입력 중…',
            joinedNotice: (nick) => `${nick} 님이 들어왔습니다.`,
            leftNotice: (nick) => `${nick} 님이 나갔습니다.`,
            newHistory: '대화방의 기록이 새로 시작되었습니다.',
            connected: '연결됨',
            reconnectingIn: (seconds) => `${seconds}초 후 다시 연결합니다`,
            reconnecting: '다시 연결하는 중…',
            notJoined: '참여하지 않음',
            passwordNeeded: '비밀번호 필요',
            otherVersion: '이 대화방은 다른 버전의 Confab을 사용합니다. 페이지를 새로 고치십시오.',
            replaced: '다른 창에서 이 대화방에 참여했습니다.',
            replacedJoinAgain: '다른 창에서 이 대화방에 참여했습니다. 여기에서 다시 참여하시겠습니까?',
            needsPassword: '이 대화방에는 비밀번호가 필요합니다.',
            passwordTitle: '비밀번호가 있는 대화방입니다',
            changeNickTitle: '닉네임 바꾸기',
            chooseNick: '닉네임을 입력하십시오.',
            filePreparing: '준비 중…',
            fileWaiting: '보내기를 기다리는 중…',
            fileSending: (percent) => `보내는 중… ${percent}%`,
            fileOffline: '연결을 기다리는 중…',
            fileReadFailed: '파일을 더 이상 읽을 수 없습니다.',
            fileCancel: '취소',
            download: '내려받기',
            downloading: (percent) => `내려받는 중… ${percent}%`,
            downloadFailed: (why) => `내려받지 못했습니다: ${why}`,
            fileCorrupt: '파일이 공유된 그대로 도착하지 않았습니다(SHA-256 불일치).',
            fileGone: '그 파일은 더 이상 대화방에 없습니다.',
            openImage: (name) => `${name} 원래 크기로 보기`,
            'upload:file-too-big': '이 대화방에 보내기에는 파일이 너무 큽니다.',
            'upload:storage-full': '대화방에 파일을 저장할 공간이 없습니다.',
            'upload:file-corrupt': '보내는 도중에 파일이 바뀌었거나 손상되어 아무것도 저장하지 않았습니다.',
            'upload:too-many-uploads': '한꺼번에 보내는 파일이 너무 많습니다. 다시 시도하십시오.',
            'upload:store-failed': '대화방이 파일을 저장하지 못했습니다. 다시 시도하십시오.',
            'upload:not-allowed': '이 대화방에서는 파일을 공유할 수 없습니다.',
            'upload:not-found': '대화방에 이 업로드가 더 이상 없습니다.',
        },
    };

    // The page's language: ?lang=ko or ?lang=en in its address, else the first of the
    // browser's languages that the table has (ko-KR counts as ko), else English.
    function chooseLanguage() {
        const known = (tag) => {
            const base = String(tag || '').trim().toLowerCase().split(/[-_]/)[0];
            return Object.prototype.hasOwnProperty.call(TEXT, base) ? base : '';
        };
        let asked = '';
        try {
            asked = new URLSearchParams(location.search).get('lang') || '';
        } catch {
            /* no query */
        }
        if (known(asked)) return known(asked);
        const tags = Array.isArray(navigator.languages) && navigator.languages.length
            ? navigator.languages : [navigator.language];
        for (const tag of tags) {
            if (known(tag)) return known(tag);
        }
        return 'en';
    }

    const LANG = chooseLanguage();

    // t(KEY, ...values): the page's sentence in its language (English if a key were ever
    // missing there; the browser tests check that none is).
    function t(key, ...args) {
        let value = TEXT[LANG][key];
        if (value === undefined) value = TEXT.en[key];
        if (value === undefined) return key;
        return typeof value === 'function' ? value(...args) : value;
    }

    // index.html's texts: data-text="key" sets the text, data-text-ATTR="key" the attribute.
    function applyPageText() {
        document.documentElement.lang = LANG;
        for (const node of document.querySelectorAll('*')) {
            for (const name of node.getAttributeNames()) {
                if (name === 'data-text') node.textContent = t(node.getAttribute(name));
                else if (name.startsWith('data-text-')) node.setAttribute(name.slice(10), t(node.getAttribute(name)));
            }
        }
    }

    // For the browser tests (tests/browser): which language was chosen, and the tables.
    Object.defineProperty(window, 'confabText', {
        value: Object.freeze({ lang: LANG, tables: Object.freeze({ en: Object.freeze(TEXT.en), ko: Object.freeze(TEXT.ko) }) }),
    });

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
        transfers: $('transfers'),
        attach: $('attach'),
        fileInput: $('file-input'),
        viewer: $('viewer'),
        viewerImage: $('viewer-image'),
        viewerClose: $('viewer-close'),
        dropHint: $('drop-hint'),
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
            short: d.toLocaleTimeString(LANG, { hour: '2-digit', minute: '2-digit' }),
            long: d.toLocaleString(LANG),
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
        const when = formatTime(m.time);
        const time = el('time', '', when.short);
        time.dateTime = m.time;
        time.title = when.long;
        meta.appendChild(time);
        // A direct message reaches only its two parties; say so, or it reads as public.
        if (typeof m.to === 'string' && m.to) {
            li.classList.add('private');
            meta.appendChild(el('span', 'private-tag',
                m.from === state.myNick ? t('privateTo', m.to) : t('privateFrom')));
        }
        li.appendChild(meta);
        const body = el('div', 'text');
        if (m.deleted === true) {
            body.classList.add('deleted');
            body.textContent = t('deleted');
        } else {
            appendTextWithLinks(body, m.text);
            if (m.edited === true) body.appendChild(el('span', 'edited', t('edited')));
        }
        li.appendChild(body);
        if (m.deleted !== true && isFileInfo(m.file)) li.appendChild(renderFile(m.file));
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
        ui.older.textContent = state.loadingOlder ? t('loadingOlder') : t('loadOlder');
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
            status.textContent = t('sending');
            return;
        }
        status.appendChild(el('span', 'why', t('notSent', entry.error)));
        const remove = el('button', 'remove', t('remove'));
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
        const list = Array.from(state.members.values()).sort((a, b) => a.nick.localeCompare(b.nick, LANG));
        ui.memberList.textContent = '';
        for (const { nick, away } of list) {
            const li = el('li', away ? 'away' : '', nick);
            if (nick === state.myNick) li.appendChild(el('span', 'note', t('memberYou')));
            if (away) li.appendChild(el('span', 'note', t('memberAway')));
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
        if (names.length === 1) text = t('typing1', names[0]);
        else if (names.length === 2) text = t('typing2', names[0], names[1]);
        else if (names.length === 3) text = t('typing3', names[0], names[1], names[2]);
        else if (names.length > 3) text = t('typingMany');
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
        setConn('connecting', t('connecting'));
        let ws;
        try {
            ws = new WebSocket(roomUrl(), SUBPROTOCOL);
        } catch {
            scheduleReconnect();
            return;
        }
        state.ws = ws;
        ws.binaryType = 'arraybuffer'; // file chunks
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
        onFileConnectionLost();
        if (code === 4000) {
            stop(t('otherVersion'));
        } else if (code === 4002) {
            stop(t('replaced'));
            askNickname(t('replacedJoinAgain'));
        } else if (code === 4003 && !state.stopped) {
            askPassword(t('needsPassword'));
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
        setConn('offline', seconds > 0 ? t('reconnectingIn', seconds) : t('reconnecting'));
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
        if (event.data instanceof ArrayBuffer) {
            onBinaryFrame(event.data);
            return;
        }
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
            addNoticeLive(t('joinedNotice', m.nick));
        },
        left: (m) => {
            if (typeof m.nick !== 'string') return;
            state.members.delete(nickKey(m.nick));
            renderMembers();
            clearTyper(m.nick);
            addNoticeLive(t('leftNotice', m.nick));
        },
        members: (m) => setMembers(m.members),
        typing: onTyping,
        presence: onPresence,
        ping: (m) => send({ type: 'pong', token: typeof m.token === 'string' ? m.token : '' }),
        pong: () => {},
        error: onError,
        fileReady: onFileReady,
        fileProgress: onFileProgress,
        fileDone: onFileDone,
        fileEnd: onFileEnd,
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
            addNotice(t('newHistory'));
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
        setConn('online', t('connected'));
        if (follow) scrollToBottom();
        // Everything not acked goes again with its own clientId: the room stores each once.
        for (const entry of state.outbox) {
            if (entry.status !== 'failed') entry.status = 'queued';
        }
        pump();
        onFileJoined();
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
        const upload = typeof m.uploadId === 'string' ? files.uploads.get(m.uploadId) : null;
        if (upload) {
            onUploadError(upload, m);
            return;
        }
        const download = typeof m.fileId === 'string' ? files.downloads.get(m.fileId) : null;
        if (download) {
            onDownloadError(download, m);
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
            // Only "typing" and the file messages can be new to an older room (one that
            // knows files knows typing): stop sending them on this connection.
            state.typingSupported = false;
            onFilesUnknown();
            break;
        case 'rate-limited':
            // A request (not a chat) was dropped: only a file request needs asking again.
            retryUnansweredFileRequests(m);
            break;
        default:
            console.warn('confab: the room said', m.code, sentence);
        }
    }

    // --- files (PROTOCOL.md §13) ----------------------------------------------------------
    //
    // Uploads: hash the file, announce it (fileStart), wait for fileReady, then send binary
    // chunks in order with at most UPLOAD_WINDOW bytes not yet acked by fileProgress. A
    // dropped connection leaves the room's partial in place: the same uploadId is announced
    // again after the next welcome and the upload goes on from fileReady.offset.
    // Downloads: fileGet, kind 0x02 chunks in order, fileEnd; the bytes are used only once
    // their SHA-256 matches the message's file.sha256.

    const CHUNK_BYTES = 32768; // data per binary message (the protocol's maximum)
    const READ_BYTES = 256 * 1024; // read from the File this much at a time
    const UPLOAD_WINDOW = 1024 * 1024; // sent and not yet acked, per upload
    const MAX_BUFFERED = 512 * 1024; // what may wait in the WebSocket before we read more
    const MAX_UPLOADS = 2; // the room takes two at once per connection
    const MAX_THUMB_FETCHES = 2; // thumbnails fetched at once
    const THUMB_MAX_BYTES = 16 * 1024 * 1024; // larger images are not fetched unasked
    const HASH_SLICE_BYTES = 4 * 1024 * 1024; // the JavaScript SHA-256 reads this much at a time
    // Shown inline. Only these: an <img> never runs script, and the blob carries exactly
    // this type, so nothing else from another member is ever rendered by the browser.
    const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

    const files = {
        supported: true, // false once the room says it takes no files
        uploads: new Map(), // uploadId -> upload (see startUpload)
        downloads: new Map(), // fileId -> download (see fetchFile)
        images: new Map(), // fileId -> { blob, url } of verified images, for the page's life
        thumbQueue: [], // file infos waiting for a thumbnail fetch
        thumbsWanted: new Set(), // fileIds queued or being fetched for a thumbnail
        thumbsActive: 0,
        thumbObserver: null,
    };

    // The room's error codes for a refused upload that the page words itself (TEXT's
    // 'upload:CODE'); any other code shows the room's own sentence.
    const UPLOAD_ERRORS = new Set(['file-too-big', 'storage-full', 'file-corrupt', 'too-many-uploads',
        'store-failed', 'not-allowed', 'not-found']);

    function humanSize(bytes) {
        if (bytes < 1024) return `${bytes} B`;
        const units = ['KiB', 'MiB', 'GiB', 'TiB'];
        let value = bytes / 1024;
        let unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit += 1;
        }
        return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
    }

    const percentOf = (part, whole) => (whole > 0 ? Math.floor((100 * part) / whole) : 100);

    // The name a download is offered under, as the desktop client saves (PROTOCOL.md §13,
    // "Saving"): no path separators, control or format characters, no leading dots (no
    // hidden files, no ".."), never empty. The browser sanitises it again itself.
    function safeFileName(name) {
        let out = String(name).replace(/[\\/]/g, '_').replace(/[\p{Cc}\p{Cf}]/gu, '');
        out = out.replace(/^\.+/, '').replace(/[. ]+$/, '').trim();
        if (!out) return 'file';
        return out.length > 200 ? out.slice(out.length - 200) : out;
    }

    function isFileInfo(f) {
        return f && typeof f === 'object' && typeof f.id === 'string' && f.id
            && typeof f.name === 'string' && Number.isSafeInteger(f.size) && f.size >= 0
            && typeof f.sha256 === 'string' && /^[0-9a-fA-F]{64}$/.test(f.sha256);
    }

    const isInlineImage = (f) => typeof f.mime === 'string' && IMAGE_TYPES.has(f.mime.toLowerCase());

    // --- SHA-256 -----------------------------------------------------------------------

    const toHex = (bytes) => Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');

    // crypto.subtle exists only in secure contexts (https, localhost, 127.0.0.1); a room on
    // the LAN is usually plain http://, so this JavaScript SHA-256 (FIPS 180-4) stands in.
    // It is fed in pieces, so a large file is never held whole for it.
    const SHA256_K = new Uint32Array([
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]);

    class Sha256 {
        constructor() {
            this.h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
            this.w = new Uint32Array(64);
            this.block = new Uint8Array(64);
            this.held = 0; // bytes in this.block
            this.length = 0; // bytes fed in all
        }

        update(data) {
            const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
            let i = 0;
            this.length += bytes.length;
            if (this.held) {
                const n = Math.min(64 - this.held, bytes.length);
                this.block.set(bytes.subarray(0, n), this.held);
                this.held += n;
                i = n;
                if (this.held < 64) return this;
                this.compress(this.block, 0);
                this.held = 0;
            }
            for (; i + 64 <= bytes.length; i += 64) this.compress(bytes, i);
            this.block.set(bytes.subarray(i), 0);
            this.held = bytes.length - i;
            return this;
        }

        compress(b, at) {
            const w = this.w;
            const h = this.h;
            for (let i = 0; i < 16; ++i) {
                const o = at + i * 4;
                w[i] = (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
            }
            for (let i = 16; i < 64; ++i) {
                const x = w[i - 15];
                const y = w[i - 2];
                const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
                const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
                w[i] = w[i - 16] + s0 + w[i - 7] + s1;
            }
            let [a, bb, c, d, e, f, g, hh] = h;
            for (let i = 0; i < 64; ++i) {
                const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
                const ch = (e & f) ^ (~e & g);
                const t1 = (hh + s1 + ch + SHA256_K[i] + w[i]) | 0;
                const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
                const maj = (a & bb) ^ (a & c) ^ (bb & c);
                const t2 = (s0 + maj) | 0;
                hh = g;
                g = f;
                f = e;
                e = (d + t1) | 0;
                d = c;
                c = bb;
                bb = a;
                a = (t1 + t2) | 0;
            }
            h[0] += a;
            h[1] += bb;
            h[2] += c;
            h[3] += d;
            h[4] += e;
            h[5] += f;
            h[6] += g;
            h[7] += hh;
        }

        hex() {
            const bits = this.length * 8;
            const tail = new Uint8Array(this.held + 9 <= 64 ? 64 : 128);
            tail.set(this.block.subarray(0, this.held));
            tail[this.held] = 0x80;
            const view = new DataView(tail.buffer);
            view.setUint32(tail.length - 8, Math.floor(bits / 0x100000000));
            view.setUint32(tail.length - 4, bits >>> 0);
            for (let at = 0; at < tail.length; at += 64) this.compress(tail, at);
            const out = new Uint8Array(32);
            const outView = new DataView(out.buffer);
            for (let i = 0; i < 8; ++i) outView.setUint32(i * 4, this.h[i]);
            return toHex(out);
        }
    }

    const hasSubtle = () => typeof crypto !== 'undefined' && crypto.subtle
        && typeof crypto.subtle.digest === 'function';

    // SHA-256 of a File or Blob. `cancelled()` is asked between slices.
    async function sha256OfBlob(blob, cancelled = () => false) {
        if (hasSubtle()) {
            const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
            return toHex(new Uint8Array(digest));
        }
        const hash = new Sha256();
        for (let at = 0; at < blob.size; at += HASH_SLICE_BYTES) {
            if (cancelled()) return '';
            hash.update(await blob.slice(at, at + HASH_SLICE_BYTES).arrayBuffer());
        }
        return hash.hex();
    }

    // --- binary chunks ---------------------------------------------------------------------

    const CHUNK_UPLOAD = 0x01;
    const CHUNK_DOWNLOAD = 0x02;

    function encodeChunk(id, offset, data) {
        const frame = new Uint8Array(10 + id.length + data.byteLength);
        const view = new DataView(frame.buffer);
        frame[0] = CHUNK_UPLOAD;
        view.setUint32(1, Math.floor(offset / 0x100000000));
        view.setUint32(5, offset >>> 0);
        frame[9] = id.length;
        for (let i = 0; i < id.length; ++i) frame[10 + i] = id.charCodeAt(i); // ASCII by rule
        frame.set(new Uint8Array(data), 10 + id.length);
        return frame;
    }

    function decodeChunk(buffer) {
        if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < 11) return null;
        const bytes = new Uint8Array(buffer);
        const view = new DataView(buffer);
        const idLength = bytes[9];
        if (idLength < 1 || idLength > 64 || buffer.byteLength <= 10 + idLength) return null;
        return {
            kind: bytes[0],
            offset: view.getUint32(1) * 0x100000000 + view.getUint32(5),
            id: String.fromCharCode(...bytes.subarray(10, 10 + idLength)),
            data: buffer.slice(10 + idLength),
        };
    }

    // --- uploading -------------------------------------------------------------------------

    function shareFiles(list) {
        if (!files.supported) return;
        for (const file of Array.from(list || [])) {
            if (file instanceof File) startUpload(file);
        }
    }

    function startUpload(file) {
        const u = {
            id: newClientId(), // a UUID: 36 of A–Z a–z 0–9 -
            file,
            name: file.name || 'file',
            size: file.size,
            mime: (file.type || '').slice(0, 127),
            sha256: '',
            // hashing → waiting (not announced) → announced (fileStart sent) → sending
            // (fileReady came); failed is final.
            status: 'hashing',
            sent: 0, // bytes sent on this connection (from fileReady.offset on)
            acked: 0, // bytes the room said it holds
            paused: false, // waiting out a rate limit
            pumping: false,
            epoch: 0, // bumps whenever `sent` is set back, so a read under way is dropped
            el: null,
        };
        u.el = renderTransfer(u);
        files.uploads.set(u.id, u);
        const follow = nearBottom();
        ui.transfers.appendChild(u.el);
        if (follow) scrollToBottom();
        sha256OfBlob(file, () => !files.uploads.has(u.id)).then((hex) => {
            if (!files.uploads.has(u.id)) return;
            u.sha256 = hex;
            u.status = 'waiting';
            showTransfer(u);
            announceUploads();
        }, () => failUpload(u, t('fileReadFailed')));
    }

    function renderTransfer(u) {
        const li = el('li', 'transfer');
        li.dataset.uploadId = u.id;
        const head = el('div', 'transfer-head');
        head.appendChild(el('span', 'file-name', u.name));
        head.appendChild(el('span', 'file-size', humanSize(u.size)));
        li.appendChild(head);
        const bar = el('progress', 'transfer-bar');
        bar.max = Math.max(1, u.size);
        bar.value = 0;
        li.appendChild(bar);
        const foot = el('div', 'transfer-foot');
        foot.appendChild(el('span', 'status', t('filePreparing')));
        const button = el('button', 'cancel', t('fileCancel'));
        button.type = 'button';
        button.addEventListener('click', () => cancelUpload(u));
        foot.appendChild(button);
        li.appendChild(foot);
        return li;
    }

    function showTransfer(u) {
        const li = u.el;
        li.dataset.state = u.status;
        const status = li.querySelector('.status');
        const bar = li.querySelector('.transfer-bar');
        bar.value = u.acked;
        if (u.status === 'failed') {
            status.textContent = t('notSent', u.error);
            status.setAttribute('role', 'alert');
            if (u.detail) status.title = u.detail; // the room's own sentence, with its numbers
            li.querySelector('.cancel').textContent = t('remove');
            bar.hidden = true;
        } else if (u.status === 'hashing') {
            status.textContent = t('filePreparing');
        } else if (!state.joined) {
            status.textContent = t('fileOffline');
        } else if (u.status === 'sending') {
            status.textContent = t('fileSending', percentOf(u.acked, u.size));
        } else {
            status.textContent = t('fileWaiting');
        }
    }

    // Announces waiting uploads, at most MAX_UPLOADS on the wire at once.
    function announceUploads() {
        if (!state.joined || !files.supported) return;
        let busy = 0;
        for (const u of files.uploads.values()) {
            if (u.status === 'announced' || u.status === 'sending') busy += 1;
        }
        for (const u of files.uploads.values()) {
            if (busy >= MAX_UPLOADS) break;
            if (u.status !== 'waiting') continue;
            announce(u);
            busy += 1;
        }
    }

    function announce(u) {
        u.status = 'announced';
        u.paused = false;
        const start = { type: 'fileStart', uploadId: u.id, name: u.name, size: u.size, sha256: u.sha256 };
        if (u.mime) start.mime = u.mime;
        send(start);
        showTransfer(u);
    }

    function rewindUpload(u, offset) {
        u.sent = Math.max(0, Math.min(offset, u.size));
        u.acked = u.sent;
        u.epoch += 1;
    }

    function onFileReady(m) {
        const u = files.uploads.get(m.uploadId);
        if (!u || u.status !== 'announced') return;
        u.status = 'sending';
        rewindUpload(u, Number.isSafeInteger(m.offset) ? m.offset : 0);
        showTransfer(u);
        pumpUpload(u);
    }

    function onFileProgress(m) {
        const u = files.uploads.get(m.uploadId);
        if (!u || u.status !== 'sending' || !Number.isSafeInteger(m.offset) || m.offset <= u.acked) return;
        u.acked = Math.min(m.offset, u.sent);
        showTransfer(u);
        pumpUpload(u);
    }

    // The chat message carrying the file comes as a chat of its own.
    function onFileDone(m) {
        const u = files.uploads.get(m.uploadId);
        if (!u) return;
        files.uploads.delete(u.id);
        u.el.remove();
        announceUploads();
    }

    // Sends chunks in order while the window and the socket have room. One loop per
    // upload; reads are asynchronous, so anything that moves `sent` bumps the epoch and
    // the loop drops what it read for the old position.
    async function pumpUpload(u) {
        if (u.pumping) return;
        u.pumping = true;
        try {
            while (files.uploads.get(u.id) === u && u.status === 'sending' && !u.paused
                   && state.joined && u.sent < u.size && u.sent - u.acked < UPLOAD_WINDOW) {
                const ws = state.ws;
                if (ws.bufferedAmount > MAX_BUFFERED) {
                    setTimeout(() => pumpUpload(u), 20);
                    break;
                }
                const epoch = u.epoch;
                const from = u.sent;
                const length = Math.min(READ_BYTES, u.size - from, UPLOAD_WINDOW - (from - u.acked));
                const data = await u.file.slice(from, from + length).arrayBuffer();
                if (u.epoch !== epoch || ws !== state.ws || !state.joined || u.status !== 'sending'
                    || u.paused || files.uploads.get(u.id) !== u) {
                    continue; // moved meanwhile: the loop looks again from where it is now
                }
                if (data.byteLength !== length) throw new Error('short read');
                for (let at = 0; at < length; at += CHUNK_BYTES) {
                    const piece = data.slice(at, Math.min(length, at + CHUNK_BYTES));
                    ws.send(encodeChunk(u.id, from + at, piece));
                }
                u.sent = from + length;
            }
        } catch {
            // The file was changed, moved or deleted on disk since it was chosen.
            if (files.uploads.get(u.id) === u) {
                send({ type: 'fileCancel', uploadId: u.id });
                failUpload(u, t('fileReadFailed'));
            }
        } finally {
            u.pumping = false;
        }
    }

    function onUploadError(u, m) {
        if (m.code === 'bad-offset' && Number.isSafeInteger(m.offset)) {
            rewindUpload(u, m.offset);
            pumpUpload(u);
            return;
        }
        if (m.code === 'rate-limited') {
            u.paused = true;
            if (Number.isSafeInteger(m.offset)) rewindUpload(u, m.offset);
            const generation = state.generation;
            const wait = Number.isFinite(m.retryAfterMs) ? m.retryAfterMs : 500;
            setTimeout(() => {
                if (generation !== state.generation || files.uploads.get(u.id) !== u) return;
                u.paused = false;
                if (u.status === 'announced') announce(u); // it was the fileStart that waited
                else pumpUpload(u);
            }, Math.max(10, Math.min(wait, 30000)));
            return;
        }
        if (m.code === 'too-many-uploads') {
            // Another tab of ours, perhaps: wait for one to finish, then ask again.
            u.status = 'waiting';
            showTransfer(u);
            setTimeout(announceUploads, 2000);
            return;
        }
        if (m.code === 'not-allowed') files.supported = false;
        const sentence = typeof m.message === 'string' ? m.message : '';
        failUpload(u, (UPLOAD_ERRORS.has(m.code) ? t(`upload:${m.code}`) : '') || sentence || String(m.code), sentence);
        if (!files.supported) showFileControls();
    }

    function failUpload(u, why, detail) {
        u.status = 'failed';
        u.error = why;
        u.detail = detail || '';
        u.file = null; // the bytes are not needed any more
        showTransfer(u);
        announceUploads();
    }

    function cancelUpload(u) {
        if (u.status === 'announced' || u.status === 'sending') send({ type: 'fileCancel', uploadId: u.id });
        files.uploads.delete(u.id);
        u.el.remove();
        announceUploads();
    }

    // --- downloading -----------------------------------------------------------------------

    // Resolves with a Blob of the file's exact bytes, or rejects with a sentence. One
    // request per file, however many ask.
    function fetchFile(info) {
        const running = files.downloads.get(info.id);
        if (running) return running.promise;
        const d = { info, parts: [], received: 0, hash: hasSubtle() ? null : new Sha256(),
            requested: false, listeners: new Set() };
        d.promise = new Promise((resolve, reject) => {
            d.resolve = resolve;
            d.reject = reject;
        });
        files.downloads.set(info.id, d);
        requestDownload(d);
        return d.promise;
    }

    function requestDownload(d) {
        if (!state.joined) return; // asked again after the next welcome
        d.requested = true;
        send({ type: 'fileGet', fileId: d.info.id, offset: d.received });
    }

    function onDownloadChunk(chunk) {
        const d = files.downloads.get(chunk.id);
        // Chunks from before a resumed request repeat what is held: skip them.
        if (!d || chunk.offset !== d.received) return;
        if (d.received + chunk.data.byteLength > d.info.size) {
            endDownload(d, t('fileCorrupt'));
            return;
        }
        d.parts.push(chunk.data);
        if (d.hash) d.hash.update(chunk.data);
        d.received += chunk.data.byteLength;
        for (const listener of d.listeners) listener(d.received, d.info.size);
    }

    async function onFileEnd(m) {
        const d = files.downloads.get(m.fileId);
        if (!d) return;
        files.downloads.delete(d.info.id); // from here on, a new request starts afresh
        const blob = new Blob(d.parts, { type: blobType(d.info) });
        d.parts = [];
        let ok = d.received === d.info.size && m.size === d.info.size;
        if (ok) {
            try {
                const hex = d.hash ? d.hash.hex() : await sha256OfBlob(blob);
                ok = hex === d.info.sha256.toLowerCase();
            } catch {
                ok = false;
            }
        }
        if (ok) d.resolve(blob);
        else d.reject(new Error(t('fileCorrupt'))); // the broken bytes are dropped here
    }

    function endDownload(d, why) {
        files.downloads.delete(d.info.id);
        send({ type: 'fileCancel', fileId: d.info.id });
        d.parts = [];
        d.reject(new Error(why));
    }

    function onDownloadError(d, m) {
        if (m.code === 'rate-limited') {
            setTimeout(() => requestDownload(d), Math.max(50, Number.isFinite(m.retryAfterMs) ? m.retryAfterMs : 500));
            return;
        }
        const sentence = typeof m.message === 'string' ? m.message : String(m.code);
        files.downloads.delete(d.info.id);
        d.parts = [];
        d.reject(new Error(m.code === 'not-found' ? t('fileGone') : sentence));
    }

    // Only the image types we show get a type; everything else is opaque bytes, so that no
    // blob: URL of ours could ever be rendered as a page.
    const blobType = (info) => (isInlineImage(info) ? info.mime.toLowerCase() : 'application/octet-stream');

    // --- file messages -----------------------------------------------------------------------

    function renderFile(info) {
        const box = el('div', 'file');
        box.dataset.fileId = info.id;
        if (isInlineImage(info) && info.size <= THUMB_MAX_BYTES) {
            const thumb = el('button', 'thumb');
            thumb.type = 'button';
            thumb.setAttribute('aria-label', t('openImage', info.name));
            thumb.title = info.name;
            const img = el('img');
            img.alt = info.name;
            thumb.appendChild(img);
            thumb.addEventListener('click', () => openViewer(info));
            box.appendChild(thumb);
            const known = files.images.get(info.id);
            if (known) {
                img.src = known.url;
            } else {
                thumb.dataset.loading = 'true';
                watchThumb(thumb, info);
            }
            img.addEventListener('load', () => {
                thumb.dataset.loading = 'false';
            });
            img.addEventListener('error', () => {
                thumb.hidden = true; // verified bytes, but not an image the browser can show
            });
        }
        const line = el('div', 'file-line');
        line.appendChild(el('span', 'file-name', info.name));
        const details = [humanSize(info.size)];
        if (typeof info.mime === 'string' && info.mime) details.push(info.mime);
        line.appendChild(el('span', 'file-details', details.join(' · ')));
        box.appendChild(line);
        const foot = el('div', 'file-foot');
        const button = el('button', 'download', t('download'));
        button.type = 'button';
        button.addEventListener('click', () => downloadToDisk(info));
        foot.appendChild(button);
        foot.appendChild(el('span', 'file-status'));
        box.appendChild(foot);
        return box;
    }

    // Every element showing this file (a message can be drawn again after an update).
    function fileBoxes(fileId) {
        return document.querySelectorAll(`.file[data-file-id="${CSS.escape(fileId)}"]`);
    }

    function setFileStatus(fileId, text, failed) {
        for (const box of fileBoxes(fileId)) {
            const status = box.querySelector('.file-status');
            status.textContent = text;
            box.dataset.state = failed ? 'failed' : '';
        }
    }

    async function fetchWithProgress(info) {
        const known = files.images.get(info.id);
        if (known) return known.blob;
        const promise = fetchFile(info);
        const d = files.downloads.get(info.id);
        const listener = (received, size) => setFileStatus(info.id, t('downloading', percentOf(received, size)));
        if (d) d.listeners.add(listener);
        try {
            return await promise;
        } finally {
            if (d) d.listeners.delete(listener);
        }
    }

    async function downloadToDisk(info) {
        setFileStatus(info.id, t('downloading', 0));
        let blob;
        try {
            blob = await fetchWithProgress(info);
        } catch (e) {
            setFileStatus(info.id, t('downloadFailed', e.message), true);
            return;
        }
        setFileStatus(info.id, '');
        const known = files.images.get(info.id);
        const url = known ? known.url : URL.createObjectURL(blob);
        const a = el('a');
        a.href = url;
        a.download = safeFileName(info.name);
        a.hidden = true;
        document.body.appendChild(a);
        a.click();
        a.remove();
        if (!known) setTimeout(() => URL.revokeObjectURL(url), 60000);
    }

    // Thumbnails are fetched when they scroll into view, MAX_THUMB_FETCHES at a time.
    function watchThumb(thumb, info) {
        if (!files.thumbObserver && 'IntersectionObserver' in window) {
            files.thumbObserver = new IntersectionObserver((entries) => {
                for (const entry of entries) {
                    if (!entry.isIntersecting) continue;
                    files.thumbObserver.unobserve(entry.target);
                    queueThumb(entry.target.thumbInfo);
                }
            }, { root: ui.scroller, rootMargin: '200px' });
        }
        thumb.thumbInfo = info;
        if (files.thumbObserver) files.thumbObserver.observe(thumb);
        else queueThumb(info);
    }

    function queueThumb(info) {
        if (!info || files.images.has(info.id) || files.thumbsWanted.has(info.id)) return;
        files.thumbsWanted.add(info.id);
        files.thumbQueue.push(info);
        nextThumb();
    }

    function nextThumb() {
        while (files.thumbsActive < MAX_THUMB_FETCHES && files.thumbQueue.length) {
            const info = files.thumbQueue.shift();
            if (files.images.has(info.id)) {
                files.thumbsWanted.delete(info.id);
                continue;
            }
            files.thumbsActive += 1;
            fetchFile(info).then((blob) => {
                const url = URL.createObjectURL(blob);
                files.images.set(info.id, { blob, url });
                for (const box of fileBoxes(info.id)) {
                    const img = box.querySelector('.thumb img');
                    if (img) img.src = url;
                }
            }, (e) => {
                setFileStatus(info.id, t('downloadFailed', e.message), true);
                for (const box of fileBoxes(info.id)) {
                    const thumb = box.querySelector('.thumb');
                    if (thumb) thumb.hidden = true;
                }
            }).finally(() => {
                files.thumbsActive -= 1;
                files.thumbsWanted.delete(info.id);
                nextThumb();
            });
        }
    }

    function openViewer(info) {
        const known = files.images.get(info.id);
        if (!known) return;
        ui.viewerImage.src = known.url;
        ui.viewerImage.alt = info.name;
        ui.viewer.hidden = false;
        ui.viewerClose.focus();
    }

    function closeViewer() {
        ui.viewer.hidden = true;
        ui.viewerImage.removeAttribute('src');
    }

    // --- connection events for files ---------------------------------------------------------

    function onFileConnectionLost() {
        for (const u of files.uploads.values()) {
            if (u.status === 'announced' || u.status === 'sending') u.status = 'waiting';
            u.paused = false;
            u.epoch += 1;
            showTransfer(u);
        }
        for (const d of files.downloads.values()) d.requested = false;
    }

    // After a welcome: the same uploadIds again (the room answers with how much it holds),
    // and downloads from the bytes already held.
    function onFileJoined() {
        for (const u of files.uploads.values()) showTransfer(u);
        announceUploads();
        for (const d of files.downloads.values()) requestDownload(d);
    }

    // A request (fileStart, fileGet) can be refused by the request rate without naming
    // which: ask again for whatever has had no answer yet.
    function retryUnansweredFileRequests(m) {
        const generation = state.generation;
        const wait = Number.isFinite(m.retryAfterMs) ? m.retryAfterMs : 500;
        setTimeout(() => {
            if (generation !== state.generation) return;
            for (const u of files.uploads.values()) {
                if (u.status === 'announced') announce(u);
            }
            for (const d of files.downloads.values()) {
                if (d.requested && d.received === 0) requestDownload(d);
            }
        }, Math.max(50, wait));
    }

    // A room from before files answers fileStart and fileGet with unknown-type.
    function onFilesUnknown() {
        const asked = Array.from(files.uploads.values()).some((u) => u.status === 'announced')
            || Array.from(files.downloads.values()).some((d) => d.requested);
        if (!asked) return;
        files.supported = false;
        for (const u of Array.from(files.uploads.values())) {
            if (u.status !== 'failed') failUpload(u, t('upload:not-allowed'));
        }
        for (const d of Array.from(files.downloads.values())) endDownload(d, t('upload:not-allowed'));
        showFileControls();
    }

    function showFileControls() {
        ui.attach.hidden = !files.supported;
    }

    function onBinaryFrame(data) {
        const chunk = decodeChunk(data);
        if (chunk && chunk.kind === CHUNK_DOWNLOAD) onDownloadChunk(chunk);
    }

    // Drag and drop anywhere on the page; paste of files (a screenshot) into the page.
    function hasFiles(event) {
        const types = event.dataTransfer ? Array.from(event.dataTransfer.types) : [];
        return types.includes('Files');
    }

    function setupFileInput() {
        ui.attach.addEventListener('click', () => ui.fileInput.click());
        ui.fileInput.addEventListener('change', () => {
            shareFiles(ui.fileInput.files);
            ui.fileInput.value = ''; // the same file can be chosen again
        });
        let dragDepth = 0;
        document.addEventListener('dragenter', (event) => {
            if (!hasFiles(event) || !files.supported) return;
            dragDepth += 1;
            ui.dropHint.hidden = false;
        });
        document.addEventListener('dragleave', () => {
            dragDepth = Math.max(0, dragDepth - 1);
            if (!dragDepth) ui.dropHint.hidden = true;
        });
        document.addEventListener('dragover', (event) => {
            if (!hasFiles(event) || !files.supported) return;
            event.preventDefault();
            event.dataTransfer.dropEffect = 'copy';
        });
        document.addEventListener('drop', (event) => {
            dragDepth = 0;
            ui.dropHint.hidden = true;
            if (!event.dataTransfer || !event.dataTransfer.files.length) return;
            event.preventDefault(); // never let the browser open the file in place of the room
            shareFiles(event.dataTransfer.files);
        });
        document.addEventListener('paste', (event) => {
            const list = event.clipboardData ? Array.from(event.clipboardData.files || []) : [];
            if (!list.length || !files.supported) return; // plain text pastes as text
            event.preventDefault();
            shareFiles(list);
        });
        ui.viewer.addEventListener('click', closeViewer);
        document.addEventListener('keydown', (event) => {
            if (event.key === 'Escape' && !ui.viewer.hidden) closeViewer();
        });
        showFileControls();
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
        setConn('stopped', t('notJoined'));
        showJoin(t('joinTitle'), error);
    }

    function askPassword(error) {
        state.changingNick = false;
        state.needPassword = true;
        state.password = '';
        ui.password.value = '';
        setConn('stopped', t('passwordNeeded'));
        showJoin(t('passwordTitle'), error);
    }

    function onJoinSubmit(event) {
        event.preventDefault();
        const nick = ui.nick.value.trim();
        if (!nick) {
            ui.joinError.textContent = t('chooseNick');
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

    applyPageText();
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
        showJoin(t('changeNickTitle'), '');
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
    setupFileInput();

    if (state.nick) {
        adoptStoredOutbox();
        connect();
    } else {
        askNickname('');
    }
})();
