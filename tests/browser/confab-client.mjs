// A small confab.v1 client for the browser tests, written from docs/PROTOCOL.md with the
// `ws` package. It stands in for the desktop program: the web page must chat with it.
import WebSocket from 'ws';
import crypto from 'node:crypto';

export class TestFailure extends Error {}

export function check(condition, what) {
    if (!condition)
        throw new TestFailure(what);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class ConfabClient {
    constructor(url, nick, { password } = {}) {
        this.url = url;
        this.nick = nick;
        this.password = password;
        this.ws = null;
        this.frames = []; // every JSON frame received, in order, across connections
        this.waiters = new Set();
        this.seqCount = new Map(); // seq -> how many times a live chat carried it
        this.chats = new Map(); // seq -> message, from welcome history, pages and live chat
        this.lastSeq = -1;
        this.resumeToken = '';
        this.welcome = null;
        this.closeCode = null;
        this.downloads = new Map(); // fileId -> { parts, received }
    }

    // Opens a connection and says hello; resolves with the welcome. With resume set, it
    // sends the last seq held and the token, as a reconnecting desktop client does.
    async connect({ resume = false, timeoutMs = 5000 } = {}) {
        const ws = new WebSocket(this.url, 'confab.v1');
        this.ws = ws;
        this.closeCode = null;
        ws.on('message', (data, isBinary) => (isBinary ? this.onBinary(data) : this.onFrame(data.toString())));
        ws.on('close', (code) => {
            if (this.ws === ws)
                this.closeCode = code;
            this.notify();
        });
        ws.on('error', () => {});
        await new Promise((resolve, reject) => {
            ws.once('open', resolve);
            ws.once('error', reject);
            ws.once('close', () => reject(new Error('closed before open')));
        });
        const since = this.frames.length;
        const hello = { type: 'hello', version: 1, nick: this.nick };
        if (resume && this.lastSeq >= 0)
            hello.lastSeq = this.lastSeq;
        if (resume && this.resumeToken)
            hello.resumeToken = this.resumeToken;
        if (this.password)
            hello.password = this.password;
        this.send(hello);
        const answer = await this.waitFor((m) => m.type === 'welcome' || m.type === 'error',
                                          timeoutMs, `welcome for ${this.nick}`, since);
        check(answer.type === 'welcome', `${this.nick}: hello refused: ${answer.code} ${answer.message}`);
        this.welcome = answer;
        this.resumeToken = answer.resumeToken;
        for (const m of answer.history)
            this.hold(m);
        this.lastSeq = Math.max(this.lastSeq, answer.lastSeq);
        return answer;
    }

    // Keeps trying (the room may be restarting) until a welcome comes or time runs out.
    async reconnect({ timeoutMs = 20000 } = {}) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            try {
                return await this.connect({ resume: true });
            } catch (e) {
                if (Date.now() > deadline)
                    throw new TestFailure(`${this.nick} could not reconnect: ${e.message}`);
                await sleep(150);
            }
        }
    }

    hold(m) {
        if (!this.chats.has(m.seq))
            this.chats.set(m.seq, m);
    }

    onFrame(text) {
        let m;
        try {
            m = JSON.parse(text);
        } catch {
            m = { type: '(not json)', text };
        }
        this.frames.push(m);
        if (m.type === 'chat') {
            this.seqCount.set(m.seq, (this.seqCount.get(m.seq) || 0) + 1);
            this.hold(m);
            this.lastSeq = Math.max(this.lastSeq, m.seq);
        } else if (m.type === 'history') {
            for (const h of m.messages)
                this.hold(h);
        } else if (m.type === 'ping') {
            this.send({ type: 'pong', token: m.token || '' });
        }
        this.notify();
    }

    // Download chunks (PROTOCOL.md §13): kind 0x02, offset, id length, id, data.
    onBinary(data) {
        const buffer = Buffer.isBuffer(data) ? data : Buffer.concat(data);
        if (buffer.length < 11 || buffer[0] !== 0x02)
            return;
        const offset = Number(buffer.readBigUInt64BE(1));
        const idLength = buffer[9];
        const id = buffer.subarray(10, 10 + idLength).toString('latin1');
        const d = this.downloads.get(id);
        if (d && offset === d.received) {
            d.parts.push(Buffer.from(buffer.subarray(10 + idLength)));
            d.received += buffer.length - 10 - idLength;
        }
    }

    // Shares `data` (a Buffer) as a room file, as the desktop client does: fileStart,
    // chunks of 32 KiB with at most 1 MiB not acked, fileDone. Resolves with the fileDone
    // and the chat message that carries the file.
    async upload(name, data, { mime, timeoutMs = 20000 } = {}) {
        const uploadId = crypto.randomUUID();
        const sha256 = crypto.createHash('sha256').update(data).digest('hex');
        const since = this.frames.length;
        const start = { type: 'fileStart', uploadId, name, size: data.length, sha256 };
        if (mime)
            start.mime = mime;
        this.send(start);
        const isOurs = (m) => m.uploadId === uploadId;
        const ready = await this.waitFor((m) => isOurs(m) && (m.type === 'fileReady' || m.type === 'error'
                                                              || m.type === 'fileDone'),
                                         timeoutMs, `fileReady for ${name}`, since);
        check(ready.type !== 'error', `fileStart of ${name} refused: ${ready.code} ${ready.message}`);
        let sent = ready.offset ?? data.length;
        let acked = sent;
        let index = this.frames.indexOf(ready) + 1;
        for (;;) {
            while (sent < data.length && sent - acked < 1024 * 1024) {
                const piece = data.subarray(sent, Math.min(data.length, sent + 32768));
                const head = Buffer.alloc(10 + uploadId.length);
                head[0] = 0x01;
                head.writeBigUInt64BE(BigInt(sent), 1);
                head[9] = uploadId.length;
                head.write(uploadId, 10, 'latin1');
                this.ws.send(Buffer.concat([head, piece]));
                sent += piece.length;
            }
            const m = await this.waitFor((f) => isOurs(f) && ['fileProgress', 'fileDone', 'error'].includes(f.type),
                                         timeoutMs, `progress of ${name}`, index);
            index = this.frames.indexOf(m) + 1;
            if (m.type === 'fileDone') {
                const chat = await this.waitFor((f) => f.type === 'chat' && f.file && f.file.id === m.fileId,
                                                timeoutMs, `the chat carrying ${name}`, since);
                return { done: m, chat };
            }
            if (m.type === 'error' && (m.code === 'rate-limited' || m.code === 'bad-offset')) {
                await sleep(m.retryAfterMs ?? 0);
                sent = acked = m.offset ?? acked;
                continue;
            }
            check(m.type !== 'error', `upload of ${name} refused: ${m.code} ${m.message}`);
            acked = m.offset;
        }
    }

    // Fetches a file with fileGet; resolves with its bytes (checked against file.sha256).
    async download(file, timeoutMs = 20000) {
        const d = { parts: [], received: 0 };
        this.downloads.set(file.id, d);
        const since = this.frames.length;
        this.send({ type: 'fileGet', fileId: file.id, offset: 0 });
        try {
            const end = await this.waitFor((m) => (m.type === 'fileEnd' || m.type === 'error') && m.fileId === file.id,
                                           timeoutMs, `fileEnd of ${file.name}`, since);
            check(end.type === 'fileEnd', `fileGet of ${file.name} refused: ${end.code} ${end.message}`);
            const data = Buffer.concat(d.parts);
            check(data.length === file.size, `${file.name}: got ${data.length} bytes of ${file.size}`);
            const sha256 = crypto.createHash('sha256').update(data).digest('hex');
            check(sha256 === file.sha256, `${file.name}: SHA-256 ${sha256}, the message says ${file.sha256}`);
            return data;
        } finally {
            this.downloads.delete(file.id);
        }
    }

    notify() {
        for (const w of this.waiters)
            w();
    }

    send(message) {
        this.ws.send(JSON.stringify(message));
    }

    // Sends a chat and resolves with its ack; over the rate limit it waits as told and
    // sends it again with the same clientId, as the desktop client does.
    async say(text, timeoutMs = 5000) {
        const clientId = crypto.randomUUID();
        for (;;) {
            const since = this.frames.length;
            this.send({ type: 'chat', clientId, text });
            const ack = await this.waitFor((m) => (m.type === 'ack' || m.type === 'error')
                                           && m.clientId === clientId, timeoutMs, `ack of "${text}"`, since);
            if (ack.type === 'error' && ack.code === 'rate-limited') {
                await sleep(ack.retryAfterMs ?? 200);
                continue;
            }
            check(ack.type === 'ack', `"${text}" refused: ${ack.code} ${ack.message}`);
            return ack;
        }
    }

    // Resolves with the first frame (from index `since` on) that matches.
    waitFor(predicate, timeoutMs, what, since = 0) {
        return new Promise((resolve, reject) => {
            let index = since;
            const waiter = () => {
                for (; index < this.frames.length; ++index) {
                    if (predicate(this.frames[index])) {
                        done();
                        resolve(this.frames[index]);
                        return;
                    }
                }
            };
            const timer = setTimeout(() => {
                done();
                reject(new TestFailure(`${this.nick}: timed out after ${timeoutMs} ms waiting for ${what}`));
            }, timeoutMs);
            const done = () => {
                clearTimeout(timer);
                this.waiters.delete(waiter);
            };
            this.waiters.add(waiter);
            waiter();
        });
    }

    // Live chats with this text (from this sender, if given) received so far.
    received(text, from) {
        return this.frames.filter((m) => m.type === 'chat' && m.text === text
                                  && (from === undefined || m.from === from));
    }

    close() {
        if (this.ws) {
            const ws = this.ws;
            this.ws = null;
            ws.close(1000);
        }
    }
}
