#!/usr/bin/env node
// Takes docs/webclient.png: the web client at phone size with a short conversation in
// English and Korean. Not a test; run by hand after changing resources/web:
//   node tests/browser/npm-setup.mjs
//   CONFAB_BINARY=build/app/confab node tests/browser/screenshot.mjs [out.png]
// Korean needs a CJK font on the machine (Debian: fonts-noto-cjk).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ConfabClient, sleep } from './confab-client.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] || path.join(here, '..', '..', 'docs', 'webclient.png'));
const binary = process.env.CONFAB_BINARY;
if (!binary || !fs.existsSync(binary)) {
    console.error('screenshot: set CONFAB_BINARY to the confab binary');
    process.exit(2);
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confab-shot-'));
const server = spawn(binary, ['--server', '--port', '0', '--bind', '127.0.0.1', '--data-dir', dataDir,
    '--room', 'Design team'], { stdio: ['ignore', 'pipe', 'inherit'] });
let browser;
try {
    const port = await new Promise((resolve, reject) => {
        let text = '';
        server.stdout.setEncoding('utf8');
        server.stdout.on('data', (chunk) => {
            text += chunk;
            const m = /listening on ws:\/\/[^\s:]+:(\d+)/.exec(text);
            if (m) resolve(Number(m[1]));
        });
        server.on('exit', () => reject(new Error('the server exited')));
    });
    const url = `ws://127.0.0.1:${port}/`;
    const alice = new ConfabClient(url, 'Alice');
    const minsu = new ConfabClient(url, '민수');
    await alice.connect();
    await minsu.connect();
    await alice.say('Morning! Is the build green?');
    await minsu.say('안녕하세요! 네, 방금 통과했어요.\n테스트도 전부 초록색이에요.');
    await alice.say('Great. Release notes: https://example.com/confab/notes');

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2, locale: 'ko-KR', timezoneId: 'Asia/Seoul', colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.fill('#nick', '지우');
    await page.click('#join-button');
    await page.waitForSelector('body[data-conn="online"]');
    await page.fill('#input', '점심 먹고 리뷰할게요. 12시 반 괜찮아요?');
    await page.press('#input', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('#pending li').length === 0);
    await minsu.say('좋아요, 회의실 3번에서 봐요.');
    await alice.say('Count me in.');
    minsu.send({ type: 'typing', active: true }); // shown if the room relays typing
    await page.locator('#input').blur();
    await sleep(600);
    await page.screenshot({ path: out });
    console.log(`wrote ${out}`);
    alice.close();
    minsu.close();
} finally {
    if (browser)
        await browser.close();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.on('exit', resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
}
