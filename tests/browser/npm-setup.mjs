#!/usr/bin/env node
// ctest fixture for the browser suite: installs the pinned packages of package-lock.json
// (playwright-core, ws) into tests/browser/node_modules (ignored by git) with `npm ci`,
// unless node_modules already matches the lock file (a stamp holds its SHA-256).
// playwright-core brings no browser: the suite drives Debian's /usr/bin/chromium.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const lockText = fs.readFileSync(path.join(dir, 'package-lock.json'));
const want = crypto.createHash('sha256').update(lockText).digest('hex');
const stamp = path.join(dir, 'node_modules', '.confab-lock-sha256');
const lock = JSON.parse(lockText);
const pinned = Object.fromEntries(['playwright-core', 'ws'].map(
    (name) => [name, lock.packages[`node_modules/${name}`].version]));
const describe = () => Object.entries(pinned).map(([n, v]) => `${n} ${v}`).join(', ');

function installedMatches() {
    return Object.entries(pinned).every(([name, version]) => {
        try {
            return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'))).version === version;
        } catch {
            return false;
        }
    });
}

let have = null;
try {
    have = fs.readFileSync(stamp, 'utf8').trim();
} catch { /* not installed yet */ }
if (have === want && installedMatches()) {
    console.log(`node_modules up to date (${describe()}); skipping npm ci`);
    process.exit(0);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
console.log(`npm ci in ${dir}`);
// PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: playwright-core has no install script today; this keeps
// it that way should a later version add one.
const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], {
    cwd: dir, stdio: 'inherit', timeout: 240_000,
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
});
if (r.error || r.status !== 0) {
    console.error(`npm ci failed: ${r.error ?? `exit ${r.status}`}`);
    process.exit(1);
}
if (!installedMatches()) {
    console.error(`npm ci did not install ${describe()}`);
    process.exit(1);
}
fs.writeFileSync(stamp, `${want}\n`);
console.log(`installed ${describe()}`);
