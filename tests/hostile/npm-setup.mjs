#!/usr/bin/env node
// ctest fixture for the hostile suite: installs the pinned `ws` from package-lock.json into
// tests/hostile/node_modules (ignored by git) with `npm ci`, unless node_modules already
// matches the lock file (a stamp holds the lock file's SHA-256).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const lock = fs.readFileSync(path.join(dir, 'package-lock.json'));
const want = crypto.createHash('sha256').update(lock).digest('hex');
const stamp = path.join(dir, 'node_modules', '.confab-lock-sha256');
const pinned = JSON.parse(lock).packages['node_modules/ws'].version;

function installedWs() {
    try {
        return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'ws', 'package.json'))).version;
    } catch {
        return null;
    }
}

let have = null;
try {
    have = fs.readFileSync(stamp, 'utf8').trim();
} catch { /* not installed yet */ }
if (have === want && installedWs() === pinned) {
    console.log(`node_modules up to date (ws ${pinned}); skipping npm ci`);
    process.exit(0);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
console.log(`npm ci in ${dir}`);
const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit', timeout: 240_000 });
if (r.error || r.status !== 0) {
    console.error(`npm ci failed: ${r.error ?? `exit ${r.status}`}`);
    process.exit(1);
}
if (installedWs() !== pinned) {
    console.error(`npm ci did not install ws ${pinned}`);
    process.exit(1);
}
fs.writeFileSync(stamp, `${want}\n`);
console.log(`installed ws ${pinned}`);
