#!/usr/bin/env node
// Browser end-to-end tests of the room's web client (resources/web, issue #6).
//
// Starts a real `confab --server` on 127.0.0.1 with a temporary data directory, opens its
// page in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; nothing
// is downloaded), and checks the page against a desktop-protocol client (confab-client.mjs,
// the `ws` package speaking confab.v1 JSON):
//   - both chat with each other, typing shows (when the room relays it);
//   - the page survives a server restart (SIGTERM, same port and data directory) without
//     duplicates or loss, and what was typed while the room was down arrives once, also
//     from a tab that was closed meanwhile (the outbox in localStorage);
//   - markup in messages and nicknames is shown as text, never run or parsed;
//   - a rate-limited burst from the page is kept and delivered whole, in order;
//   - a minimal page with a bare `new WebSocket(url)` chats as a plain-text guest when its
//     origin is allowed, and cannot connect when it is not;
//   - "load older" pages back through history, and a room password is asked for;
//   - the page speaks Korean or English by the browser's languages (or ?lang=), both tables
//     hold the same keys, and Enter while a Korean IME composes does not send.
// One line per case, then "N passed, M failed"; the exit status is non-zero on failure.
//
// Usage: CONFAB_BINARY=path/to/confab node browser.mjs
//   CONFAB_BROWSER_ONLY=regex   run only the cases whose names match
//   CONFAB_CHROMIUM=path        another Chromium (default /usr/bin/chromium)
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { ConfabClient, TestFailure, check, sleep } from './confab-client.mjs';

const HOST = '127.0.0.1';
const CASE_DEADLINE_MS = 60_000;
const WAIT_MS = 10_000; // for anything the page should show "soon"
const CHROMIUM = process.env.CONFAB_CHROMIUM || '/usr/bin/chromium';
// No network of its own (updates, sync, QUIC probes); the sandbox needs namespaces that
// containers and CI often lack. Playwright adds --headless and a new empty --user-data-dir
// per launch itself (it refuses a --user-data-dir here).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const binary = process.env.CONFAB_BINARY || process.argv[2];
if (!binary || !fs.existsSync(binary)) {
    console.error('browser: give the confab binary as CONFAB_BINARY or the first argument');
    process.exit(2);
}
if (!fs.existsSync(CHROMIUM)) {
    console.error(`browser: no Chromium at ${CHROMIUM} (scripts/install-deps.sh --test installs it)`);
    process.exit(2);
}

const suiteStart = Date.now();
const tempDirs = [];
const tempDir = (prefix) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.push(dir);
    return dir;
};

// --- the room: a confab --server process ----------------------------------------------

const servers = new Set();

class Server {
    constructor(dataDir, extraArgs = []) {
        this.dataDir = dataDir;
        this.extraArgs = extraArgs;
        this.port = 0;
        this.proc = null;
        this.log = []; // stderr lines, bounded
    }

    get url() { return `ws://${HOST}:${this.port}/`; }
    get pageUrl() { return `http://${HOST}:${this.port}/`; }

    // Starts it (on the port it had before, if any) and resolves once it listens.
    start() {
        const args = ['--server', '--port', String(this.port), '--bind', HOST,
            '--data-dir', this.dataDir, ...this.extraArgs];
        const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        this.proc = proc;
        servers.add(this);
        proc.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
        proc.stderr.setEncoding('utf8');
        proc.stderr.on('data', (chunk) => {
            this.log.push(...chunk.split('\n').filter(Boolean));
            if (this.log.length > 400)
                this.log.splice(0, this.log.length - 400);
        });
        return new Promise((resolve, reject) => {
            let out = '';
            const timer = setTimeout(() => reject(new TestFailure(`server did not start: ${this.log.slice(-5).join(' | ')}`)), 10_000);
            proc.stdout.setEncoding('utf8');
            proc.stdout.on('data', (chunk) => {
                out += chunk;
                const m = /listening on wss?:\/\/[^\s:]+:(\d+)/.exec(out);
                if (m && !this.port) this.port = Number(m[1]);
                if (m) {
                    clearTimeout(timer);
                    resolve();
                }
            });
            proc.exited.then(({ code, signal }) => {
                clearTimeout(timer);
                reject(new TestFailure(`server exited at start (${code ?? signal}): ${this.log.slice(-5).join(' | ')}`));
            });
        });
    }

    // SIGTERM, as a person stopping the room would; waits for the process to end.
    async stop() {
        if (!this.proc)
            return;
        const proc = this.proc;
        this.proc = null;
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        const result = await proc.exited;
        clearTimeout(timer);
        servers.delete(this);
        return result;
    }

    kill() {
        if (this.proc)
            this.proc.kill('SIGKILL');
    }
}

// --- a tiny web server for the plain-WebSocket page -------------------------------------

// It does only what a page written by someone else would: open a WebSocket without a
// subprotocol, show each text frame as a line, send what it is told to.
const PLAIN_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>plain WebSocket page</title>
<pre id="log"></pre>
<script>
const log = document.getElementById('log');
window.events = [];
const ws = new WebSocket(new URLSearchParams(location.search).get('room'));
ws.onopen = () => events.push('open');
ws.onclose = (e) => events.push('close ' + e.code);
ws.onmessage = (e) => { log.textContent += e.data + '\\n'; };
window.say = (text) => ws.send(text);
</script>
`;

async function startPlainSite() {
    const site = http.createServer((req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(PLAIN_PAGE);
    });
    await new Promise((resolve) => site.listen(0, HOST, resolve));
    return { site, origin: `http://${HOST}:${site.address().port}` };
}

// --- the browser ------------------------------------------------------------------------

let browser;
const pageProblems = []; // script errors and CSP refusals seen on the room's page

function watch(page, label) {
    page.on('pageerror', (e) => pageProblems.push(`${label}: script error: ${e.message}`));
    page.on('console', (msg) => {
        if (msg.type() === 'error' && /Content.Security.Policy|Refused to/i.test(msg.text()))
            pageProblems.push(`${label}: ${msg.text()}`);
    });
    page.on('dialog', (dialog) => {
        pageProblems.push(`${label}: a dialog opened: ${dialog.message()}`);
        dialog.dismiss().catch(() => {});
    });
    return page;
}

async function openRoomPage(context, server, label) {
    const page = watch(await context.newPage(), label);
    await page.goto(server.pageUrl);
    return page;
}

async function joinAs(page, nick) {
    await page.waitForSelector('#join:not([hidden])', { timeout: WAIT_MS });
    await page.fill('#nick', nick);
    await page.click('#join-button');
    await waitOnline(page);
}

const waitOnline = (page) => page.waitForSelector('body[data-conn="online"]', { timeout: 15_000 });

async function typeAndSend(page, text) {
    await page.fill('#input', text);
    await page.press('#input', 'Enter');
}

// What the page shows: each message's seq, sender and text, and its pending ones.
function shown(page) {
    return page.evaluate(() => ({
        messages: Array.from(document.querySelectorAll('#messages li.msg'), (li) => ({
            seq: Number(li.dataset.seq),
            from: li.querySelector('.from').textContent,
            text: li.querySelector('.text').textContent,
        })),
        pending: Array.from(document.querySelectorAll('#pending li'), (li) => ({
            text: li.querySelector('.text').textContent,
            state: li.dataset.state,
            status: li.querySelector('.status').textContent,
        })),
    }));
}

function waitShown(page, text, from) {
    return page.waitForFunction(([t, f]) => Array.from(document.querySelectorAll('#messages li.msg'))
        .some((li) => li.querySelector('.text').textContent === t
              && (f === null || li.querySelector('.from').textContent === f)),
    [text, from ?? null], { timeout: WAIT_MS });
}

const waitNoPending = (page) => page.waitForFunction(
    () => document.querySelectorAll('#pending li').length === 0, null, { timeout: 15_000 });

// The page holds each seq once, in increasing order, and each text once.
async function checkNoDuplicates(page, label) {
    const { messages } = await shown(page);
    const seqs = messages.map((m) => m.seq);
    check(seqs.every((s, i) => i === 0 || s > seqs[i - 1]),
          `${label}: seqs not strictly increasing: ${seqs.join(',')}`);
    const texts = new Map();
    for (const m of messages)
        texts.set(m.text, (texts.get(m.text) || 0) + 1);
    const twice = [...texts].filter(([, n]) => n > 1).map(([t]) => t);
    check(twice.length === 0, `${label}: shown more than once: ${JSON.stringify(twice)}`);
    return messages;
}

// --- cases --------------------------------------------------------------------------------

const cases = [];
const test = (name, fn) => cases.push({ name, fn });

// Shared by the cases below, in order: one room, one desktop member, one browser member.
const room = { server: null, desk: null, context: null, page: null, plainSite: null, otherSite: null };

test('the page loads under its CSP, asks for a nickname and joins', async () => {
    room.desk = new ConfabClient(room.server.url, 'Desk');
    await room.desk.connect();
    room.context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    room.page = await openRoomPage(room.context, room.server, 'web');
    await joinAs(room.page, 'Web');
    const { desk, page } = room;
    await desk.waitFor((m) => m.type === 'joined' && m.nick === 'Web', WAIT_MS, 'Web joined');
    await page.waitForFunction(() => /Desk/.test(document.getElementById('member-list').textContent),
                               null, { timeout: WAIT_MS });
    check(await page.evaluate(() => localStorage.getItem('confab.nick')) === 'Web',
          'the nickname is not remembered in localStorage');
    // A reload does not ask again: the nickname is remembered, and the tab's resume token
    // lets the new page take the old one's place even if the room has not seen it go.
    await page.reload();
    await waitOnline(page);
    check(await page.evaluate(() => document.getElementById('join').hidden),
          'the reloaded page asked for the nickname again');
    check(await page.textContent('#me') === 'Web', 'the reloaded page joined under another name');
    check(pageProblems.length === 0, pageProblems.join('; '));
});

test('(a) desktop client and page chat both ways, with typing', async () => {
    const { desk, page } = room;
    // Typing first: the room allows few typing notices (3, then one per 2 s) and drops the
    // rest, and sending messages below makes some. Does this room relay typing at all? An
    // older one answers unknown-type.
    const since = desk.frames.length;
    desk.send({ type: 'typing', active: true });
    const answer = await desk.waitFor((m) => m.type === 'error' || m.type === 'typing', 1500, 'typing', since)
        .catch(() => null);
    const relaysTyping = !(answer && answer.type === 'error');
    if (relaysTyping) {
        await page.waitForFunction(() => document.getElementById('typing').textContent === 'Desk is typing…',
                                   null, { timeout: WAIT_MS });
        desk.send({ type: 'typing', active: false });
        await page.waitForFunction(() => document.getElementById('typing').textContent === '',
                                   null, { timeout: WAIT_MS });
        const typedSince = desk.frames.length;
        await page.fill('#input', 'typ');
        await desk.waitFor((m) => m.type === 'typing' && m.nick === 'Web' && m.active === true, WAIT_MS,
                           'Web is typing', typedSince);
        await page.fill('#input', '');
        await desk.waitFor((m) => m.type === 'typing' && m.nick === 'Web' && m.active === false, WAIT_MS,
                           'Web stopped typing', typedSince);

        // A room that relays typing also knows presence: an away member is marked so.
        desk.send({ type: 'presence', status: 'away' });
        await page.waitForFunction(() => /Desk \(away\)/.test(document.getElementById('member-list').textContent),
                                   null, { timeout: WAIT_MS });
        desk.send({ type: 'presence', status: 'online' });
        await page.waitForFunction(() => !/\(away\)/.test(document.getElementById('member-list').textContent),
                                   null, { timeout: WAIT_MS });
    } else {
        console.log('   note: this room does not relay typing (unknown-type); typing checks skipped');
    }

    const fromDesk = 'Hello from the desktop — 안녕하세요!';
    await desk.say(fromDesk);
    await waitShown(page, fromDesk, 'Desk');

    const fromWeb = 'Hello from the browser\nsecond line';
    await page.fill('#input', fromWeb);
    await page.press('#input', 'Enter');
    const chat = await desk.waitFor((m) => m.type === 'chat' && m.from === 'Web', WAIT_MS, 'the page\'s chat');
    check(chat.text === fromWeb, `the desktop got ${JSON.stringify(chat.text)}`);
    await waitShown(page, fromWeb, 'Web');
    await waitNoPending(page);
    check(await page.inputValue('#input') === '', 'the input was not cleared after sending');

    // Shift+Enter is a new line, not a send.
    await page.fill('#input', 'one');
    await page.press('#input', 'Shift+Enter');
    await sleep(200);
    check(desk.received('one', 'Web').length === 0, 'Shift+Enter sent the message');
    await page.fill('#input', '');
});

test('(c) markup in messages and nicknames is shown as text', async () => {
    const { desk, page } = room;
    const evil = '<img src=x onerror=alert(1)>';
    await desk.say(evil);
    await waitShown(page, evil, 'Desk');
    await typeAndSend(page, `${evil} <script>alert(2)</script>`);
    await waitShown(page, `${evil} <script>alert(2)</script>`, 'Web');

    // A member whose nickname is markup.
    const marked = new ConfabClient(room.server.url, '<b onclick=alert(3)>Mallory</b>');
    await marked.connect();
    await marked.say('<svg onload=alert(4)>');
    await waitShown(page, '<svg onload=alert(4)>', '<b onclick=alert(3)>Mallory</b>');
    await page.waitForFunction(() => /Mallory/.test(document.getElementById('member-list').textContent),
                               null, { timeout: WAIT_MS });
    marked.close();

    // Links: http(s) become <a> with a checked href; javascript: stays text.
    const linkText = 'see https://example.com/a?b=1&c=2. or javascript:alert(5)';
    await desk.say(linkText);
    await waitShown(page, linkText, 'Desk');
    await sleep(300); // time for any injected handler to fire
    // The page's own: the image viewer's <img> and the file button's icon.
    const dom = await page.evaluate(() => ({
        img: Array.from(document.querySelectorAll('img')).filter((e) => e.id !== 'viewer-image').length,
        script: document.querySelectorAll('body script').length,
        svg: Array.from(document.querySelectorAll('svg')).filter((e) => !e.closest('#attach')).length,
        bold: document.querySelectorAll('#messages b, #member-list b').length,
        text: document.getElementById('messages').textContent,
        links: Array.from(document.querySelectorAll('#messages a'), (a) => [a.getAttribute('href'), a.textContent]),
    }));
    check(dom.text.includes(evil), 'the literal <img …> text is not in the page');
    check(dom.img === 0, `${dom.img} <img> element(s) were created`);
    check(dom.script === 1, `${dom.script} <script> elements in the body (1 expected: app.js)`);
    check(dom.svg === 0 && dom.bold === 0, 'markup from a message or nickname became elements');
    check(dom.links.length === 1 && dom.links[0][0] === 'https://example.com/a?b=1&c=2'
          && dom.links[0][1] === 'https://example.com/a?b=1&c=2',
          `links: ${JSON.stringify(dom.links)}`);
    check(pageProblems.length === 0, pageProblems.join('; '));
});

test('(b) the page survives a server restart: no loss, no duplicates', async () => {
    const { desk, page, server } = room;
    // A second browser member in its own profile, whose tab will be closed while the
    // room is down: its message must come from the outbox in localStorage.
    const phoneContext = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const phone = await openRoomPage(phoneContext, server, 'phone');
    await joinAs(phone, '민수');

    await desk.say('before the restart');
    await waitShown(page, 'before the restart', 'Desk');
    await waitShown(phone, 'before the restart', 'Desk');

    const stopped = await server.stop();
    check(stopped.code === 0, `the server did not exit cleanly on SIGTERM: ${JSON.stringify(stopped)}`);
    await page.waitForSelector('body[data-conn="offline"], body[data-conn="connecting"]', { timeout: WAIT_MS });

    const whileDown = 'typed while the room was down';
    await typeAndSend(page, whileDown);
    const pend = (await shown(page)).pending;
    check(pend.length === 1 && pend[0].text === whileDown && pend[0].status === 'sending…',
          `pending while down: ${JSON.stringify(pend)}`);
    const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('confab.outbox')) || '[]');
    check(stored.some((e) => e.text === whileDown && e.nick === 'Web'), 'the outbox is not in localStorage');

    const fromClosedTab = '닫힌 탭에서 보낸 메시지';
    await phone.waitForSelector('body:not([data-conn="online"])', { timeout: WAIT_MS });
    await typeAndSend(phone, fromClosedTab);
    await phone.close();

    await sleep(700); // the page's backoff grows meanwhile
    await server.start();
    await desk.reconnect();
    const missed = 'sent while the page was reconnecting';
    await desk.say(missed);

    await waitOnline(page);
    await waitShown(page, missed, 'Desk');
    await waitShown(page, whileDown, 'Web');
    await waitNoPending(page);
    await desk.waitFor((m) => m.type === 'chat' && m.text === whileDown, WAIT_MS, 'the message typed while down');

    // The closed tab's message goes when its profile opens the room again.
    const phone2 = await openRoomPage(phoneContext, server, 'phone-2');
    await waitOnline(phone2);
    await desk.waitFor((m) => m.type === 'chat' && m.text === fromClosedTab, WAIT_MS, 'the closed tab\'s message');
    await waitShown(phone2, fromClosedTab, '민수');
    await waitNoPending(phone2);
    await waitShown(page, fromClosedTab, '민수');

    await desk.say('after the restart');
    await waitShown(page, 'after the restart', 'Desk');
    await sleep(500); // let any duplicate arrive
    check(desk.received(whileDown).length === 1, `the desktop got "${whileDown}" ${desk.received(whileDown).length} times`);
    check(desk.received(fromClosedTab).length === 1, 'the closed tab\'s message arrived more than once');
    const messages = await checkNoDuplicates(page, 'web');
    await checkNoDuplicates(phone2, 'phone');
    check(await page.evaluate(() => localStorage.getItem('confab.outbox')) === null, 'the outbox was not emptied');

    // Nothing lost: the page holds exactly what the room has (a fresh reader's view).
    const reader = new ConfabClient(server.url, 'Reader');
    const welcome = await reader.connect();
    reader.close();
    const roomSeqs = welcome.history.map((m) => m.seq).join(',');
    const pageSeqs = messages.map((m) => m.seq).join(',');
    check(roomSeqs === pageSeqs, `the page holds seqs ${pageSeqs}; the room has ${roomSeqs}`);
    await phoneContext.close();
});

test('a long absence is caught up in pages; every frame twice still shows once', async () => {
    const { desk, server } = room;
    // This page's WebSocket goes through Playwright: every chat and history frame from the
    // room reaches it twice, and while `hold` is set its connections are cut at once.
    let hold = false;
    let current = null;
    let cutWelcome = false; // a welcome said hasNewer: the catch-up is really exercised
    let pagesAsked = 0;
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
        const page = watch(await context.newPage(), 'roamer');
        await page.routeWebSocket((url) => url.port === String(server.port), (ws) => {
            if (hold) {
                ws.close({ code: 1001, reason: 'held by the test' });
                return;
            }
            const upstream = ws.connectToServer();
            current = { ws, upstream };
            ws.onMessage((m) => {
                const sent = JSON.parse(m);
                if (sent.type === 'history' && sent.after !== undefined)
                    ++pagesAsked;
                upstream.send(m);
            });
            upstream.onMessage((m) => {
                ws.send(m);
                const got = JSON.parse(m);
                if (got.type === 'welcome' && got.hasNewer)
                    cutWelcome = true;
                if (got.type === 'chat' || got.type === 'history')
                    ws.send(m);
            });
        });
        await page.goto(server.pageUrl);
        await joinAs(page, 'Roamer');
        await desk.say('roamer is here');
        await waitShown(page, 'roamer is here', 'Desk');

        hold = true;
        current.ws.close({ code: 1001, reason: 'cut by the test' });
        current.upstream.close();
        await page.waitForSelector('body:not([data-conn="online"])', { timeout: WAIT_MS });
        // More than one batch (256 KiB) of long messages while the page is away.
        const texts = [];
        for (let i = 1; i <= 30; ++i) {
            texts.push(`long ${i} ${'가나다라마바사 '.repeat(480)}`);
            await desk.say(texts.at(-1));
        }
        hold = false;
        await page.click('#conn').catch(() => {}); // "retry now", if it is waiting
        await waitOnline(page);
        await waitShown(page, texts.at(-1), 'Desk');
        await desk.say('after catching up');
        await waitShown(page, 'after catching up', 'Desk');
        await sleep(300);
        check(cutWelcome && pagesAsked >= 1,
              `no catch-up happened (welcome hasNewer: ${cutWelcome}, pages asked: ${pagesAsked})`);
        const messages = await checkNoDuplicates(page, 'roamer');
        const pageSeqs = messages.map((m) => m.seq).join(',');
        const deskSeqs = [...desk.chats.keys()].sort((a, b) => a - b).join(',');
        check(pageSeqs === deskSeqs, `the page holds seqs ${pageSeqs}; the desktop client ${deskSeqs}`);
    } finally {
        await context.close();
    }
    check(pageProblems.length === 0, pageProblems.join('; '));
});

test('a burst over the rate limit is kept and delivered whole, in order', async () => {
    const { desk, page } = room;
    const texts = Array.from({ length: 30 }, (_, i) => `burst ${String(i + 1).padStart(2, '0')}`);
    const since = desk.frames.length;
    // Sent as fast as the page can: the room takes 20 at once, then 5 a second.
    await page.evaluate((list) => {
        const input = document.getElementById('input');
        for (const text of list) {
            input.value = text;
            input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
        }
    }, texts);
    await waitNoPending(page);
    await desk.waitFor((m) => m.type === 'chat' && m.text === texts.at(-1), WAIT_MS, 'the last of the burst', since);
    const got = desk.frames.slice(since).filter((m) => m.type === 'chat' && m.from === 'Web').map((m) => m.text);
    check(JSON.stringify(got) === JSON.stringify(texts), `the desktop got ${JSON.stringify(got)}`);
    await checkNoDuplicates(page, 'web');
});

test('(d) a plain WebSocket page (no subprotocol) chats as a guest; other origins are refused', async () => {
    const { desk, server } = room;
    const context = await browser.newContext();
    try {
        const plain = await context.newPage();
        plain.on('dialog', (d) => d.dismiss().catch(() => {}));
        await plain.goto(`${room.plainSite.origin}/?room=${encodeURIComponent(server.url)}`);
        await plain.waitForFunction(() => /Welcome to/.test(document.getElementById('log').textContent),
                                    null, { timeout: WAIT_MS });
        const welcomeLine = await plain.evaluate(() => document.getElementById('log').textContent);
        const guest = /You are (guest-\d+)/.exec(welcomeLine)?.[1];
        check(guest, `no guest name in ${JSON.stringify(welcomeLine)}`);

        const since = desk.frames.length;
        await plain.evaluate(() => window.say('hi from a plain page'));
        const chat = await desk.waitFor((m) => m.type === 'chat' && m.text === 'hi from a plain page',
                                        WAIT_MS, 'the guest\'s chat', since);
        check(chat.from === guest, `the guest's message came from ${chat.from}, not ${guest}`);
        await desk.say('hello, plain page');
        await plain.waitForFunction((g) => {
            const log = document.getElementById('log').textContent;
            return log.includes('Desk: hello, plain page\n') && log.includes(`${g}: hi from a plain page\n`);
        }, guest, { timeout: WAIT_MS });
        await waitShown(room.page, 'hi from a plain page', guest);

        // The same page from an origin the room was not told about gets no connection.
        const other = await context.newPage();
        await other.goto(`${room.otherSite.origin}/?room=${encodeURIComponent(server.url)}`);
        await other.waitForFunction(() => window.events.length > 0, null, { timeout: WAIT_MS });
        const events = await other.evaluate(() => window.events);
        check(!events.includes('open'), `a page from ${room.otherSite.origin} connected: ${events}`);
        check(server.log.some((l) => l.includes(`refused a web page from ${room.otherSite.origin}`)),
              'the room did not log the refused origin');
    } finally {
        await context.close();
    }
});

test('load older pages back through history; a room password is asked for', async () => {
    // A room of its own: a password, and no rate limit so that history fills quickly.
    const dir = tempDir('confab-browser-pw-');
    fs.writeFileSync(path.join(dir, 'password.txt'), 'open sesame\n');
    const server = new Server(path.join(dir, 'data'), ['--max-rate', '0', '--password-file', path.join(dir, 'password.txt')]);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
        await server.start();
        const filler = new ConfabClient(server.url, 'Filler', { password: 'open sesame' });
        await filler.connect();
        for (let i = 1; i <= 150; ++i)
            filler.send({ type: 'chat', clientId: `fill-${i}`, text: `old message ${i}` });
        await filler.waitFor((m) => m.type === 'ack' && m.clientId === 'fill-150', WAIT_MS, 'the last fill');

        const page = await openRoomPage(context, server, 'pw');
        await page.waitForSelector('#join:not([hidden])', { timeout: WAIT_MS });
        await page.fill('#nick', 'Guard');
        await page.click('#join-button');
        await page.waitForSelector('#password-row:not([hidden])', { timeout: WAIT_MS });
        const asked = await page.textContent('#join-error');
        check(/password/i.test(asked), `the page said ${JSON.stringify(asked)}`);
        await page.fill('#password', 'open sesame');
        await page.click('#join-button');
        await waitOnline(page);

        let { messages } = await shown(page);
        check(messages.length === 100 && messages[0].text === 'old message 51',
              `a fresh join shows ${messages.length}, from ${messages[0]?.text}`);
        check(await page.isVisible('#older'), '"Load older" is not shown');
        await page.click('#older');
        await page.waitForFunction(() => document.querySelectorAll('#messages li.msg').length === 150,
                                   null, { timeout: WAIT_MS });
        await page.waitForSelector('#older', { state: 'hidden', timeout: WAIT_MS });
        check(await page.isVisible('#start'), 'the start of the room is not marked');
        messages = await checkNoDuplicates(page, 'pw');
        check(messages[0].text === 'old message 1' && messages.at(-1).text === 'old message 150',
              'older messages are out of place');
        filler.close();
    } finally {
        await context.close();
        await server.stop();
    }
    check(pageProblems.length === 0, pageProblems.join('; '));
});

// --- runner -------------------------------------------------------------------------------

function withTimeout(promise, ms, what) {
    let timer;
    return Promise.race([promise, new Promise((_, reject) => {
        timer = setTimeout(() => reject(new TestFailure(`timed out after ${ms} ms: ${what}`)), ms);
    })]).finally(() => clearTimeout(timer));
}

// Last: a direct message makes this page's seqs differ from others' (as it should), which
// the cases above compare.
test('direct messages, edits, deletions and reactions show on the page', async () => {
    const { desk, page } = room;
    const edited = await desk.say('first draft <b>bold</b>');
    desk.send({ type: 'edit', id: edited.id, text: 'final text <i>x</i>' });
    await page.waitForFunction((seq) => {
        const li = document.querySelector(`#messages li[data-seq="${seq}"]`);
        return li && li.querySelector('.text').textContent === 'final text <i>x</i> (edited)';
    }, edited.seq, { timeout: WAIT_MS });
    desk.send({ type: 'react', id: edited.id, emoji: '👍', add: true });
    await page.waitForFunction((seq) => {
        const li = document.querySelector(`#messages li[data-seq="${seq}"]`);
        return li && li.querySelector('.reaction') && li.querySelector('.reaction').textContent === '👍 1';
    }, edited.seq, { timeout: WAIT_MS });
    const gone = await desk.say('oops, wrong room');
    desk.send({ type: 'delete', id: gone.id });
    await page.waitForFunction((seq) => {
        const li = document.querySelector(`#messages li[data-seq="${seq}"]`);
        return li && li.querySelector('.text').textContent === 'message deleted';
    }, gone.seq, { timeout: WAIT_MS });
    const clientId = crypto.randomUUID();
    desk.send({ type: 'chat', clientId, text: 'just between us', to: 'Web' });
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#messages li.msg.private'))
        .some((li) => li.querySelector('.text').textContent === 'just between us'
              && /private/.test(li.querySelector('.private-tag').textContent)),
    null, { timeout: WAIT_MS });
    check(await page.evaluate(() => document.querySelectorAll('#messages i, #messages b').length === 0),
          'an edit was inserted as markup');
});

// --- files (PROTOCOL.md §13) ------------------------------------------------------------
// A room of their own (the cases above compare the shared room's seqs), a desktop member
// and a page; the cases below share them, and each starts them if it runs alone.

let fileRoomReady = null;
let fileRoomServer = null; // for the log of a failed case

function fileRoom() {
    fileRoomReady ??= (async () => {
        const server = new Server(tempDir('confab-browser-files-'));
        fileRoomServer = server;
        await server.start();
        const desk = new ConfabClient(server.url, 'Desk');
        await desk.connect();
        const context = await browser.newContext({ viewport: { width: 900, height: 900 }, acceptDownloads: true });
        const page = await openRoomPage(context, server, 'files');
        await joinAs(page, 'Web');
        return { server, desk, context, page };
    })();
    return fileRoomReady;
}

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');

// A valid PNG of w×h pixels in a few colours, small enough to be one chunk.
function makePng(w, h) {
    const crcTable = Array.from({ length: 256 }, (_, n) => {
        let c = n;
        for (let k = 0; k < 8; ++k)
            c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        return c >>> 0;
    });
    const crc32 = (buf) => {
        let c = 0xffffffff;
        for (const b of buf)
            c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
        return (c ^ 0xffffffff) >>> 0;
    };
    const chunk = (type, data) => {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(data.length);
        const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
        const crc = Buffer.alloc(4);
        crc.writeUInt32BE(crc32(body));
        return Buffer.concat([len, body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(w, 0);
    ihdr.writeUInt32BE(h, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // truecolour
    const rows = [];
    for (let y = 0; y < h; ++y) {
        rows.push(0); // filter: none
        for (let x = 0; x < w; ++x)
            rows.push((x * 255) / w, (y * 255) / h, 128);
    }
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.from(rows))), chunk('IEND', Buffer.alloc(0))]);
}

const fileBox = (fileId) => `.file[data-file-id="${fileId}"]`;

// Clicks the file's Download button and resolves with the download's name and bytes.
async function downloadFromPage(page, fileId) {
    const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: WAIT_MS }),
        page.click(`${fileBox(fileId)} .download`),
    ]).catch(async (e) => {
        const status = await page.textContent(`${fileBox(fileId)} .file-status`).catch(() => '(no file box)');
        throw new TestFailure(`no download (the page says ${JSON.stringify(status)}): ${e.message.split('\n')[0]}`);
    });
    const failure = await download.failure();
    check(!failure, `the download failed: ${failure}`);
    return { name: download.suggestedFilename(), data: fs.readFileSync(await download.path()) };
}

// The chat carrying a file with this name, as the desktop member received it.
const fileChat = (desk, name, timeoutMs = 30_000, since = 0) =>
    desk.waitFor((m) => m.type === 'chat' && m.file && m.file.name === name, timeoutMs, `the file ${name}`, since);

test('files (a): the page uploads 3 MiB in chunks; the desktop client gets it whole', async () => {
    const { desk, page } = await fileRoom();
    check(await page.isVisible('#attach'), 'no file button on the page');
    check(await page.getAttribute('#attach', 'aria-label') === 'Share a file', 'the file button has no accessible name');
    const data = crypto.randomBytes(3 * 1024 * 1024 + 12345);
    let binaryFrames = 0;
    let biggest = 0;
    const onSocket = (ws) => ws.on('framesent', (f) => {
        if (typeof f.payload !== 'string') {
            ++binaryFrames;
            biggest = Math.max(biggest, f.payload.length);
        }
    });
    // The page's socket is already open; count on a fresh one.
    page.on('websocket', onSocket);
    await page.reload();
    await waitOnline(page);
    await page.setInputFiles('#file-input', { name: 'random.bin', mimeType: 'application/octet-stream', buffer: data });
    await page.waitForSelector('#transfers li.transfer', { timeout: WAIT_MS });
    const chat = await fileChat(desk, 'random.bin');
    page.off('websocket', onSocket);
    check(chat.from === 'Web', `the file came from ${chat.from}`);
    check(chat.text === '', `a file message with text ${JSON.stringify(chat.text)}`);
    check(chat.file.size === data.length, `size ${chat.file.size}, not ${data.length}`);
    check(chat.file.sha256 === sha256(data), 'the SHA-256 in the message is not the file\'s');
    check(chat.file.mime === 'application/octet-stream', `mime ${chat.file.mime}`);
    check(binaryFrames > 0 && biggest <= 10 + 36 + 32768, `${binaryFrames} chunks seen, the largest ${biggest} bytes`);
    const back = await desk.download(chat.file);
    check(back.equals(data), 'the downloaded bytes differ');
    // The page shows the message with the file, and the progress line is gone.
    await page.waitForSelector(`${fileBox(chat.file.id)} .file-name`, { timeout: WAIT_MS });
    check(await page.textContent(`${fileBox(chat.file.id)} .file-name`) === 'random.bin', 'the page shows another name');
    check(/3\.0 MiB/.test(await page.textContent(`${fileBox(chat.file.id)} .file-details`)), 'no human size shown');
    await page.waitForFunction(() => document.querySelectorAll('#transfers li').length === 0, null, { timeout: WAIT_MS });
    check(pageProblems.length === 0, pageProblems.join('; '));
});

test('files (b): an image from the desktop shows inline; the page downloads exact bytes', async () => {
    const { desk, page } = await fileRoom();
    const png = makePng(64, 48);
    const { chat } = await desk.upload('dot.png', png, { mime: 'image/png' });
    const img = `${fileBox(chat.file.id)} .thumb img`;
    await page.waitForFunction((sel) => {
        const i = document.querySelector(sel);
        return i && i.complete && i.naturalWidth > 0;
    }, img, { timeout: WAIT_MS });
    const size = await page.evaluate((sel) => {
        const i = document.querySelector(sel);
        return [i.naturalWidth, i.naturalHeight, i.src.slice(0, 5)];
    }, img);
    check(size[0] === 64 && size[1] === 48 && size[2] === 'blob:', `the thumbnail is ${size}`);
    // A click opens it full size; Escape closes it.
    await page.click(`${fileBox(chat.file.id)} .thumb`);
    await page.waitForFunction(() => !document.getElementById('viewer').hidden
        && document.getElementById('viewer-image').naturalWidth === 64, null, { timeout: WAIT_MS });
    await page.keyboard.press('Escape');
    await page.waitForSelector('#viewer', { state: 'hidden', timeout: WAIT_MS });

    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(300_000)]);
    const shared = await desk.upload('report 2026.pdf', pdf, { mime: 'application/pdf' });
    await page.waitForSelector(`${fileBox(shared.chat.file.id)} .download`, { timeout: WAIT_MS });
    check(await page.$(`${fileBox(shared.chat.file.id)} .thumb`) === null, 'a PDF got a thumbnail');
    const got = await downloadFromPage(page, shared.chat.file.id);
    check(got.name === 'report 2026.pdf', `downloaded as ${JSON.stringify(got.name)}`);
    check(sha256(got.data) === sha256(pdf), 'the page\'s download differs from what was shared');
    const image = await downloadFromPage(page, chat.file.id);
    check(image.data.equals(png), 'the image\'s download differs');
    check(pageProblems.length === 0, pageProblems.join('; '));
});

test('files (c): a file over the room\'s cap is refused on the page; nothing reaches the room', async () => {
    const server = new Server(tempDir('confab-browser-cap-'), ['--max-file-size', '100000']);
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    try {
        await server.start();
        const desk = new ConfabClient(server.url, 'Desk');
        await desk.connect();
        const page = await openRoomPage(context, server, 'cap');
        let binaryFrames = 0;
        const sentTypes = [];
        page.on('websocket', (ws) => ws.on('framesent', (f) => {
            if (typeof f.payload !== 'string')
                ++binaryFrames;
            else
                sentTypes.push(JSON.parse(f.payload).type);
        }));
        await joinAs(page, 'Capped');
        await page.setInputFiles('#file-input', { name: 'big.bin', mimeType: 'application/octet-stream',
            buffer: crypto.randomBytes(300_000) });
        await page.waitForSelector('#transfers li.transfer[data-state="failed"]', { timeout: WAIT_MS });
        const status = await page.textContent('#transfers li.transfer .status');
        check(/Not sent: .*bigger than this room accepts/.test(status), `the page said ${JSON.stringify(status)}`);
        await sleep(300);
        check(sentTypes.includes('fileStart'), 'the page never asked the room');
        check(binaryFrames === 0, `the page sent ${binaryFrames} chunks of a refused file`);
        check(!desk.frames.some((m) => m.type === 'chat' && m.file), 'a file message reached the room');
        await page.click('#transfers li.transfer .cancel'); // "Remove"
        await page.waitForFunction(() => document.querySelectorAll('#transfers li').length === 0, null, { timeout: WAIT_MS });
        // A file under the cap still goes.
        await page.setInputFiles('#file-input', { name: 'small.txt', mimeType: 'text/plain', buffer: Buffer.from('fits\n') });
        const chat = await fileChat(desk, 'small.txt', WAIT_MS);
        check(chat.file.size === 5, `small.txt has ${chat.file.size} bytes`);
        desk.close();
    } finally {
        await context.close();
        await server.stop();
    }
    check(pageProblems.length === 0, pageProblems.join('; '));
});

test('files (d): a name like ../../.bashrc is downloaded under a safe name', async () => {
    const { desk, page } = await fileRoom();
    const data = Buffer.from('echo "not from you"\n');
    const { chat } = await desk.upload('../../.bashrc', data, { mime: 'text/plain' });
    await page.waitForSelector(`${fileBox(chat.file.id)} .download`, { timeout: WAIT_MS });
    const shownName = await page.textContent(`${fileBox(chat.file.id)} .file-name`);
    check(shownName === chat.file.name, `the page shows ${JSON.stringify(shownName)}, the room ${JSON.stringify(chat.file.name)}`);
    const got = await downloadFromPage(page, chat.file.id);
    check(!/[/\\]/.test(got.name), `downloaded as ${JSON.stringify(got.name)}`);
    check(!got.name.startsWith('.'), `downloaded as a hidden file: ${JSON.stringify(got.name)}`);
    check(got.data.equals(data), 'the bytes differ');
    // Markup in a file name is text too.
    const marked = await desk.upload('<img src=x onerror=alert(5)>.png', makePng(2, 2), { mime: 'image/png' });
    await page.waitForSelector(`${fileBox(marked.chat.file.id)} .file-name`, { timeout: WAIT_MS });
    check(await page.textContent(`${fileBox(marked.chat.file.id)} .file-name`) === '<img src=x onerror=alert(5)>.png',
          'the file name was not shown as text');
    check(await page.evaluate(() => document.querySelectorAll('.file-name img, .file-line img').length) === 0,
          'the file name became markup');
    check(pageProblems.length === 0, pageProblems.join('; '));
});

test('files (e): without crypto.subtle (plain http on a LAN address) the page hashes in JavaScript', async () => {
    const { server, desk } = await fileRoom();
    const context = await browser.newContext({ viewport: { width: 900, height: 900 }, acceptDownloads: true });
    try {
        // As on http://192.168.x.y: not a secure context, so no crypto.subtle.
        await context.addInitScript(() => {
            Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined, configurable: true });
        });
        const page = await openRoomPage(context, server, 'lan');
        await joinAs(page, 'Lan');
        check(await page.evaluate(() => crypto.subtle === undefined), 'crypto.subtle is still there');
        // 1.5 MiB and an odd tail: several hash slices would need 4 MiB; blocks and padding
        // are what matter. The room stores it only if the SHA-256 announced is right.
        const data = crypto.randomBytes(1536 * 1024 + 77);
        await page.setInputFiles('#file-input', { name: 'lan.bin', mimeType: '', buffer: data });
        const chat = await fileChat(desk, 'lan.bin');
        check(chat.file.sha256 === sha256(data), 'the page announced a wrong SHA-256');
        const fromDesk = crypto.randomBytes(700_001);
        const shared = await desk.upload('from-desk.bin', fromDesk);
        await page.waitForSelector(`${fileBox(shared.chat.file.id)} .download`, { timeout: WAIT_MS });
        const got = await downloadFromPage(page, shared.chat.file.id);
        check(got.data.equals(fromDesk), 'the download differs');
    } finally {
        await context.close();
    }
    check(pageProblems.length === 0, pageProblems.join('; '));
});

test('files (f): an upload goes on after a reconnect; cancel; a corrupted download is refused', async () => {
    const { server, desk } = await fileRoom();
    const context = await browser.newContext({ viewport: { width: 900, height: 900 }, acceptDownloads: true });
    const mode = { withholdAcks: false, corrupt: false };
    const sent = []; // per connection: { starts: [], offsets: [], bytes, cancels: [] }
    let current = null;
    try {
        const page = watch(await context.newPage(), 'resume');
        await page.routeWebSocket((url) => url.port === String(server.port), (ws) => {
            const upstream = ws.connectToServer();
            const log = { starts: [], offsets: [], bytes: 0, cancels: [], ready: [], gaps: 0, biggest: 0 };
            sent.push(log);
            current = { ws, upstream };
            ws.onMessage((m) => {
                if (typeof m === 'string') {
                    const msg = JSON.parse(m);
                    if (msg.type === 'fileStart')
                        log.starts.push(msg.uploadId);
                    if (msg.type === 'fileCancel')
                        log.cancels.push(msg.uploadId);
                } else {
                    const offset = Number(m.readBigUInt64BE(1));
                    const length = m.length - 10 - m[9];
                    // In order and without gaps, once per upload (the first from fileReady).
                    if (log.offsets.length && log.next !== offset && log.next !== undefined && offset !== 0)
                        ++log.gaps;
                    log.offsets.push(offset);
                    log.next = offset + length;
                    log.bytes += length;
                    log.biggest = Math.max(log.biggest, length);
                }
                upstream.send(m);
            });
            upstream.onMessage((m) => {
                if (typeof m === 'string') {
                    const msg = JSON.parse(m);
                    if (msg.type === 'fileReady')
                        log.ready.push(msg.offset);
                    if (msg.type === 'fileProgress' && mode.withholdAcks)
                        return;
                } else if (mode.corrupt && m[0] === 0x02) {
                    m = Buffer.from(m);
                    m[m.length - 1] ^= 0xff;
                }
                ws.send(m);
            });
        });
        await page.goto(server.pageUrl);
        await joinAs(page, 'Roamer');

        // Without acks the page stops at 1 MiB; then the connection drops.
        mode.withholdAcks = true;
        const data = crypto.randomBytes(3 * 1024 * 1024);
        await page.setInputFiles('#file-input', { name: 'resume.bin', mimeType: 'application/octet-stream', buffer: data });
        const first = sent.at(-1);
        for (const deadline = Date.now() + WAIT_MS; first.bytes < 1024 * 1024 && Date.now() < deadline;)
            await sleep(50);
        await sleep(300);
        check(first.bytes === 1024 * 1024, `${first.bytes} bytes sent without an ack (the window is 1 MiB)`);
        mode.withholdAcks = false;
        current.ws.close({ code: 1001, reason: 'cut by the test' });
        current.upstream.close();
        await page.waitForSelector('body:not([data-conn="online"])', { timeout: WAIT_MS });
        await page.click('#conn').catch(() => {});
        const chat = await fileChat(desk, 'resume.bin');
        check(chat.file.sha256 === sha256(data), 'the resumed upload is not the file');
        const second = sent.at(-1);
        check(second !== first && second.starts[0] === first.starts[0],
              `not announced again under the same uploadId: ${first.starts} then ${second.starts}`);
        check(second.ready[0] > 0 && second.offsets[0] === second.ready[0],
              `after the reconnect the room held ${second.ready[0]} and the page went on from ${second.offsets[0]}`);
        check(second.bytes === data.length - second.ready[0], `${second.bytes} bytes sent after the reconnect`);
        check(first.gaps === 0 && second.gaps === 0 && first.biggest === 32768 && second.biggest <= 32768,
              `chunks out of order (${first.gaps}, ${second.gaps}) or too big (${first.biggest}, ${second.biggest})`);

        // Cancel while it stalls: fileCancel goes, the line goes, no file message comes.
        mode.withholdAcks = true;
        const since = desk.frames.length;
        await page.setInputFiles('#file-input', { name: 'cancelled.bin', mimeType: '', buffer: crypto.randomBytes(2 * 1024 * 1024) });
        const log = sent.at(-1);
        await page.waitForSelector('#transfers li.transfer[data-state="sending"] .cancel', { timeout: WAIT_MS });
        await page.click('#transfers li.transfer .cancel');
        await page.waitForFunction(() => document.querySelectorAll('#transfers li').length === 0, null, { timeout: WAIT_MS });
        mode.withholdAcks = false;
        await sleep(300);
        check(log.cancels.length === 1 && log.cancels[0] === log.starts.at(-1), `fileCancel: ${log.cancels}`);
        check(!desk.frames.slice(since).some((m) => m.type === 'chat' && m.file), 'a cancelled file reached the room');

        // A download whose bytes change on the way is refused, and no file is offered.
        let downloads = 0;
        page.on('download', () => ++downloads);
        const original = crypto.randomBytes(100_000);
        const shared = await desk.upload('tampered.bin', original);
        await page.waitForSelector(`${fileBox(shared.chat.file.id)} .download`, { timeout: WAIT_MS });
        mode.corrupt = true;
        await page.click(`${fileBox(shared.chat.file.id)} .download`);
        await page.waitForSelector(`${fileBox(shared.chat.file.id)}[data-state="failed"]`, { timeout: WAIT_MS });
        const status = await page.textContent(`${fileBox(shared.chat.file.id)} .file-status`);
        check(/SHA-256 does not match/.test(status), `the page said ${JSON.stringify(status)}`);
        await sleep(300);
        check(downloads === 0, 'the broken bytes were offered as a download');
        mode.corrupt = false;
        const got = await downloadFromPage(page, shared.chat.file.id);
        check(got.data.equals(original), 'the second try differs');
    } finally {
        await context.close();
    }
    check(pageProblems.length === 0, pageProblems.join('; '));
});

test('files (g): a file dropped on the page and an image pasted into it are shared', async () => {
    const { desk, page } = await fileRoom();
    const png = makePng(20, 10);
    await page.evaluate((bytes) => {
        const drop = new DataTransfer();
        drop.items.add(new File(['dropped text\n'], 'dropped.txt', { type: 'text/plain' }));
        document.getElementById('scroller').dispatchEvent(new DragEvent('drop', { dataTransfer: drop, bubbles: true, cancelable: true }));
        const paste = new DataTransfer();
        paste.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
        document.getElementById('input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: paste, bubbles: true, cancelable: true }));
    }, [...png]);
    const dropped = await fileChat(desk, 'dropped.txt');
    check(dropped.file.size === 13 && dropped.file.mime === 'text/plain', `dropped: ${JSON.stringify(dropped.file)}`);
    const pasted = await fileChat(desk, 'image.png');
    check(pasted.file.sha256 === sha256(png), 'the pasted image arrived changed');
    check(await page.inputValue('#input') === '', 'the paste put text in the input');
    await page.waitForFunction((sel) => {
        const i = document.querySelector(sel);
        return i && i.complete && i.naturalWidth === 20;
    }, `${fileBox(pasted.file.id)} .thumb img`, { timeout: WAIT_MS });
    check(pageProblems.length === 0, pageProblems.join('; '));
});

// --- the page's language (English and Korean) ----------------------------------------------
// A room of its own, like the file cases: these pages join and send, which the shared
// room's seq comparisons above must not see.

let langRoomReady = null;

function langRoom() {
    langRoomReady ??= (async () => {
        const server = new Server(tempDir('confab-browser-lang-'));
        await server.start();
        const desk = new ConfabClient(server.url, 'Desk');
        await desk.connect();
        return { server, desk };
    })();
    return langRoomReady;
}

// What the page shows in its language-bearing places, and which language it chose.
const pageLanguage = (page) => page.evaluate(() => ({
    lang: document.documentElement.lang,
    chosen: window.confabText.lang,
    send: document.getElementById('send').textContent,
    placeholder: document.getElementById('input').placeholder,
    joinTitle: document.getElementById('join-title').textContent,
    attach: document.getElementById('attach').getAttribute('aria-label'),
    conn: document.getElementById('conn-text').textContent,
}));

// Every data-text / data-text-ATTR of index.html shows the table's entry of the page's language
// (but the connection line, which says what the connection is doing by then).
const staticTextMismatches = (page) => page.evaluate(() => {
    const table = window.confabText.tables[window.confabText.lang];
    const wrong = [];
    for (const node of document.querySelectorAll('*:not(#conn-text)')) {
        for (const name of node.getAttributeNames()) {
            if (!name.startsWith('data-text'))
                continue;
            const key = node.getAttribute(name);
            const shown = name === 'data-text' ? node.textContent : node.getAttribute(name.slice(10));
            if (typeof table[key] !== 'string' || shown !== table[key])
                wrong.push(`${node.id || node.tagName} ${name}=${key}: ${JSON.stringify(shown)}`);
        }
    }
    return wrong;
});

test('language (a): a ko-KR browser gets Korean, en-US English; ?lang= overrides', async () => {
    const { server, desk } = await langRoom();
    const ko = await browser.newContext({ locale: 'ko-KR', viewport: { width: 390, height: 844 } });
    const en = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    try {
        const page = await openRoomPage(ko, server, 'ko');
        await page.waitForSelector('#join:not([hidden])', { timeout: WAIT_MS });
        let got = await pageLanguage(page);
        check(got.lang === 'ko' && got.chosen === 'ko', `ko-KR: <html lang="${got.lang}">, chose ${got.chosen}`);
        check(got.send === '보내기' && got.placeholder === '메시지 입력' && got.joinTitle === '대화방 참여'
              && got.attach === '파일 보내기' && got.conn === '참여하지 않음',
              `ko-KR shows ${JSON.stringify(got)}`);
        let wrong = await staticTextMismatches(page);
        check(wrong.length === 0, `ko-KR: not in Korean: ${wrong.join('; ')}`);
        // The page's own sentences after joining are Korean; the room's and people's words
        // are shown as they come.
        await page.fill('#nick', '지민');
        await page.click('#join-button');
        await waitOnline(page);
        check(await page.textContent('#conn-text') === '연결됨', `connected: ${await page.textContent('#conn-text')}`);
        await page.waitForFunction(() => /지민 \(나\)/.test(document.getElementById('member-list').textContent),
                                   null, { timeout: WAIT_MS });
        check(/명 참여 중$/.test((await page.textContent('#members-toggle')).trim()),
              `members button: ${JSON.stringify(await page.textContent('#members-toggle'))}`);
        const visitor = new ConfabClient(server.url, 'Visitor');
        await visitor.connect();
        await page.waitForFunction(() => Array.from(document.querySelectorAll('#messages li.notice'))
            .some((li) => li.textContent === 'Visitor 님이 들어왔습니다.'), null, { timeout: WAIT_MS });
        visitor.close();
        await desk.say('한국어 화면 확인');
        await waitShown(page, '한국어 화면 확인', 'Desk');

        // ?lang=en wins over the ko-KR browser.
        const forced = await ko.newPage();
        watch(forced, 'ko ?lang=en');
        await forced.goto(`${server.pageUrl}?lang=en`);
        got = await pageLanguage(forced);
        check(got.lang === 'en' && got.send === 'Send' && got.placeholder === 'Message',
              `ko-KR with ?lang=en shows ${JSON.stringify(got)}`);
        await forced.close();

        const english = await openRoomPage(en, server, 'en');
        got = await pageLanguage(english);
        check(got.lang === 'en' && got.chosen === 'en' && got.send === 'Send' && got.placeholder === 'Message'
              && got.attach === 'Share a file', `en-US shows ${JSON.stringify(got)}`);
        wrong = await staticTextMismatches(english);
        check(wrong.length === 0, `en-US: not in English: ${wrong.join('; ')}`);
        // ?lang=ko wins over the en-US browser (ko-KR as a value counts as ko).
        await english.goto(`${server.pageUrl}?lang=ko-KR`);
        got = await pageLanguage(english);
        check(got.lang === 'ko' && got.send === '보내기', `en-US with ?lang=ko-KR shows ${JSON.stringify(got)}`);
        // An unknown ?lang falls back to the browser's languages.
        await english.goto(`${server.pageUrl}?lang=xx`);
        check((await pageLanguage(english)).lang === 'en', '?lang=xx did not fall back to en-US');
    } finally {
        await ko.close();
        await en.close();
    }
    // The first of ko and en in the browser's list decides; neither means English.
    for (const [languages, want] of [[['fr-FR', 'ko-KR', 'en-US'], 'ko'], [['de', 'en-GB', 'ko'], 'en'],
        [['ja-JP', 'fr'], 'en'], [['KO'], 'ko']]) {
        const context = await browser.newContext();
        try {
            await context.addInitScript((list) => {
                Object.defineProperty(Navigator.prototype, 'languages', { get: () => list, configurable: true });
            }, languages);
            const page = await openRoomPage(context, server, `languages ${languages}`);
            const got = await pageLanguage(page);
            check(got.lang === want, `navigator.languages ${JSON.stringify(languages)} gave ${got.lang}, not ${want}`);
        } finally {
            await context.close();
        }
    }
    check(pageProblems.length === 0, pageProblems.join('; '));
});

test('language (b): the English and Korean tables have the same keys, and every key used exists', async () => {
    const { server } = await langRoom();
    const context = await browser.newContext({ locale: 'ko-KR' });
    try {
        const page = await openRoomPage(context, server, 'tables');
        const report = await page.evaluate(() => {
            const { en, ko } = window.confabText.tables;
            const problems = [];
            for (const key of Object.keys(en)) {
                if (!(key in ko))
                    problems.push(`no Korean for ${key}`);
            }
            for (const key of Object.keys(ko)) {
                if (!(key in en))
                    problems.push(`no English for ${key}`);
            }
            const hangul = /[\uac00-\ud7a3]/;
            for (const key of Object.keys(en).filter((k) => k in ko)) {
                const a = en[key];
                const b = ko[key];
                if (typeof a !== typeof b || (typeof a === 'function' && a.length !== b.length)) {
                    problems.push(`${key}: English and Korean take different values`);
                    continue;
                }
                // Each value a sentence shows must show in both languages.
                const args = Array.from({ length: typeof a === 'function' ? a.length : 0 }, (_, i) => `«${i}»`);
                const texts = { en: typeof a === 'function' ? a(...args) : a, ko: typeof b === 'function' ? b(...args) : b };
                for (const [lang, text] of Object.entries(texts)) {
                    if (typeof text !== 'string' || !text.trim())
                        problems.push(`${key} (${lang}) is empty`);
                    else if (args.some((arg) => !text.includes(arg)))
                        problems.push(`${key} (${lang}) leaves out a value: ${text}`);
                }
                if (!hangul.test(texts.ko))
                    problems.push(`${key} (ko) has no Korean: ${texts.ko}`);
            }
            return { problems, count: Object.keys(en).length };
        });
        check(report.count > 50, `only ${report.count} English entries`);
        check(report.problems.length === 0, report.problems.join('; '));
        // Every t('key') in the app.js the room serves, and every data-text key of its page.
        const served = async (file) => {
            const res = await fetch(`${server.pageUrl}${file}`);
            check(res.ok, `${file}: HTTP ${res.status}`);
            return res.text();
        };
        const used = new Set();
        for (const m of (await served('app.js')).matchAll(/\bt\(\s*'([^']+)'/g))
            used.add(m[1]);
        for (const m of (await served('index.html')).matchAll(/data-text(?:-[a-z-]+)?="([^"]+)"/g))
            used.add(m[1]);
        check(used.size > 40, `only ${used.size} keys found in app.js and index.html`);
        const missing = await page.evaluate((keys) => keys.filter((k) => !(k in window.confabText.tables.en)
            || !(k in window.confabText.tables.ko)), [...used]);
        check(missing.length === 0, `used but not in both tables: ${missing.join(', ')}`);
        // The room's error codes the page words itself for a refused upload.
        const codes = ['file-too-big', 'storage-full', 'file-corrupt', 'too-many-uploads', 'store-failed',
            'not-allowed', 'not-found'];
        const noCode = await page.evaluate((list) => list.filter((c) => !(`upload:${c}` in window.confabText.tables.ko)), codes);
        check(noCode.length === 0, `upload errors without Korean: ${noCode.join(', ')}`);
    } finally {
        await context.close();
    }
    check(pageProblems.length === 0, pageProblems.join('; '));
});

test('language (c): Enter while composing Hangul does not send; Enter after compositionend sends once', async () => {
    const { server, desk } = await langRoom();
    const context = await browser.newContext({ locale: 'ko-KR', viewport: { width: 390, height: 844 } });
    try {
        const page = await openRoomPage(context, server, 'ime');
        await joinAs(page, '하늘');
        const since = desk.frames.length;
        const fromPage = () => desk.frames.slice(since).filter((m) => m.type === 'chat' && m.from === '하늘');
        await page.evaluate(() => {
            window.imeEvents = [];
            const input = document.getElementById('input');
            for (const type of ['compositionstart', 'compositionend'])
                input.addEventListener(type, (e) => window.imeEvents.push(`${type}:${e.data}`));
            input.addEventListener('keydown', (e) => {
                if (e.key === 'Enter')
                    window.imeEvents.push(`enter:${e.isComposing}:${e.keyCode}:${e.defaultPrevented}`);
            });
        });

        // 1. A real composition in Chromium's input method machinery (as a Korean IME
        //    drives it): ㅎ → 하 → 한, and Enter pressed while 한 is still being composed.
        await page.fill('#input', '안녕하세요 ');
        await page.focus('#input');
        const cdp = await context.newCDPSession(page);
        for (const text of ['ㅎ', '하', '한'])
            await cdp.send('Input.imeSetComposition', { text, selectionStart: 1, selectionEnd: 1 });
        await page.keyboard.press('Enter');
        await sleep(300);
        let events = await page.evaluate(() => window.imeEvents);
        check(events.includes('compositionstart:') || events.some((e) => e.startsWith('compositionstart')),
              `no composition started: ${events}`);
        check(events.some((e) => e.startsWith('enter:true:')), `Enter during the composition: ${events}`);
        check(fromPage().length === 0, `Enter while composing sent ${JSON.stringify(fromPage().map((m) => m.text))}`);
        check(await page.evaluate(() => document.querySelectorAll('#pending li').length) === 0,
              'Enter while composing queued a message');
        // The IME commits the syllable: compositionend; nothing is sent by that either.
        await cdp.send('Input.insertText', { text: '한' });
        await sleep(200);
        events = await page.evaluate(() => window.imeEvents);
        check(events.some((e) => e.startsWith('compositionend')), `the composition did not end: ${events}`);
        check(fromPage().length === 0, 'committing the composition sent the message');
        const typed = await page.inputValue('#input');
        check(typed.startsWith('안녕하세요 한'), `the input holds ${JSON.stringify(typed)}`);
        // Now Enter sends, once, the whole text.
        await page.keyboard.press('Enter');
        const sent = await desk.waitFor((m) => m.type === 'chat' && m.from === '하늘', WAIT_MS, 'the committed text', since);
        check(sent.text === typed.replace(/\n+$/, '') || sent.text === typed,
              `sent ${JSON.stringify(sent.text)}, typed ${JSON.stringify(typed)}`);
        check(sent.text.includes('안녕하세요 한'), `sent ${JSON.stringify(sent.text)}`);
        await waitNoPending(page);
        check(await page.inputValue('#input') === '', 'the input was not cleared after sending');

        // 2. The events as other browsers order them, dispatched by hand: Enter with
        //    isComposing (Chrome, Firefox), Enter as keyCode 229 after compositionend
        //    (Safari commits first, then reports the Enter as 229).
        const outcome = await page.evaluate(() => {
            const input = document.getElementById('input');
            input.focus();
            input.value = '감사합니다';
            const enter = (init, keyCode) => {
                const e = new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true, ...init });
                if (keyCode !== undefined)
                    Object.defineProperty(e, 'keyCode', { get: () => keyCode });
                input.dispatchEvent(e);
                return e.defaultPrevented;
            };
            input.dispatchEvent(new CompositionEvent('compositionstart', { data: '', bubbles: true }));
            const whileComposing = enter({ isComposing: true }, 13);
            const as229 = enter({ isComposing: true }, 229);
            input.dispatchEvent(new CompositionEvent('compositionend', { data: '다', bubbles: true }));
            const safari229 = enter({ isComposing: false }, 229);
            const left = input.value;
            const pending = document.querySelectorAll('#pending li').length;
            return { whileComposing, as229, safari229, left, pending };
        });
        check(!outcome.whileComposing && !outcome.as229 && !outcome.safari229,
              `an Enter that belongs to the IME was taken: ${JSON.stringify(outcome)}`);
        check(outcome.left === '감사합니다' && outcome.pending === 0, `the composing Enter sent: ${JSON.stringify(outcome)}`);
        await sleep(300);
        check(fromPage().length === 1, `${fromPage().length} messages after the IME's Enters`);
        // The Enter after the composition has ended sends it, once.
        const afterEnd = await page.evaluate(() => {
            const input = document.getElementById('input');
            const e = new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true });
            input.dispatchEvent(e);
            return { prevented: e.defaultPrevented, left: input.value };
        });
        check(afterEnd.prevented && afterEnd.left === '', `Enter after compositionend: ${JSON.stringify(afterEnd)}`);
        await desk.waitFor((m) => m.type === 'chat' && m.text === '감사합니다', WAIT_MS, 'the second message', since);
        await sleep(300);
        const texts = fromPage().map((m) => m.text);
        check(texts.length === 2 && texts[1] === '감사합니다', `the desktop got ${JSON.stringify(texts)}`);
    } finally {
        await context.close();
    }
    check(pageProblems.length === 0, pageProblems.join('; '));
});

async function cleanUp() {
    for (const s of servers)
        s.kill();
    if (browser)
        await browser.close().catch(() => {});
    for (const site of [room.plainSite, room.otherSite])
        site?.site.close();
    for (const dir of tempDirs)
        fs.rmSync(dir, { recursive: true, force: true });
}

async function main() {
    const only = process.env.CONFAB_BROWSER_ONLY ? new RegExp(process.env.CONFAB_BROWSER_ONLY) : null;
    room.plainSite = await startPlainSite();
    room.otherSite = await startPlainSite();
    room.server = new Server(tempDir('confab-browser-'), ['--allow-origin', room.plainSite.origin]);
    await room.server.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    console.log(`room on ${room.server.url}, ${browser.version ? `Chromium ${browser.version()}` : 'Chromium'}`);

    let passed = 0;
    let failed = 0;
    for (const c of cases) {
        if (only && !only.test(c.name))
            continue;
        const t0 = Date.now();
        try {
            await withTimeout(c.fn(), CASE_DEADLINE_MS, c.name);
            ++passed;
            console.log(`PASS ${c.name} (${Date.now() - t0} ms)`);
        } catch (e) {
            ++failed;
            console.log(`FAIL ${c.name} (${Date.now() - t0} ms): ${e instanceof TestFailure ? e.message : e.stack}`);
            const tail = room.server.log.slice(-8);
            if (tail.length)
                console.log(`     server log: ${tail.join('\n                 ')}`);
            const fileTail = fileRoomServer ? fileRoomServer.log.slice(-8) : [];
            if (fileTail.length)
                console.log(`     file room log: ${fileTail.join('\n                 ')}`);
        }
        // A case that failed half-way through a restart leaves the room down: bring it
        // back so that the next cases test what they are about.
        if (!room.server.proc)
            await room.server.start().catch((e) => console.log(`     could not restart the room: ${e.message}`));
    }
    console.log(`took ${((Date.now() - suiteStart) / 1000).toFixed(1)} s`);
    console.log(`${passed} passed, ${failed} failed`);
    return failed === 0 && passed > 0;
}

let ok = false;
try {
    ok = await main();
} catch (e) {
    console.log(`suite error: ${e.stack}`);
    console.log('0 passed, 1 failed');
} finally {
    await cleanUp();
}
process.exit(ok ? 0 : 1);
