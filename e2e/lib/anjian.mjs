// Helpers shared by the browser tests and screenshot.mjs:
// start/stop an `anjian serve --demo` process, launch Debian's Chromium,
// log in through the real login form, and collect page problems.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

/** Path of the anjian binary: $ANJIAN_BIN (relative to cwd) or ../target/release/anjian (relative to e2e/). */
export function anjianBin() {
  const bin = process.env.ANJIAN_BIN
    ? path.resolve(process.cwd(), process.env.ANJIAN_BIN)
    : path.resolve(E2E_DIR, '..', 'target', 'release', 'anjian');
  if (!fs.existsSync(bin)) {
    throw new Error(`anjian binary not found at ${bin} (build it with "cargo build --release -p anjian-app" or set ANJIAN_BIN)`);
  }
  return bin;
}

/** Ask the kernel for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// "  账号 supervisor  密码 xxxxx  角色 局监管人员"
const ACCOUNT_RE = /^\s*账号\s+(\S+)\s+密码\s+(\S+)\s+角色\s+(.+?)\s*$/;

/** Parse the demo account lines that `serve --demo` prints. */
export function parseAccounts(text) {
  const accounts = {};
  for (const line of text.split(/\r?\n/)) {
    const m = ACCOUNT_RE.exec(line);
    if (m) accounts[m[1]] = { username: m[1], password: m[2], role: m[3] };
  }
  return accounts;
}

/**
 * Start `anjian serve --demo` on a free port with a fresh temporary data dir.
 * Resolves once /readyz answers 200 and the `supervisor` demo account has been printed.
 */
export async function startDemoServer({ timeoutMs = 90_000, extraArgs = [] } = {}) {
  const bin = anjianBin();
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anjian-e2e-'));
  const baseURL = `http://127.0.0.1:${port}`;
  const args = ['serve', '--demo', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, ...extraArgs];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });

  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  const killOnExit = () => { try { child.kill('SIGKILL'); } catch { /* already gone */ } };
  process.on('exit', killOnExit);

  const tail = () => {
    const last = (s) => s.split('\n').slice(-40).join('\n');
    return `--- stdout (tail) ---\n${last(stdout)}\n--- stderr (tail) ---\n${last(stderr)}`;
  };

  const server = {
    bin,
    port,
    baseURL,
    dataDir,
    child,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    accounts: {},
    logTail: tail,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (exited === null) {
        child.kill('SIGTERM');
        for (let i = 0; i < 100 && exited === null; i++) await sleep(100);
        if (exited === null) {
          child.kill('SIGKILL');
          for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
        }
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
      return exited;
    },
  };

  const deadline = Date.now() + timeoutMs;
  let ready = false;
  while (Date.now() < deadline) {
    if (exited !== null) {
      await server.stop();
      throw new Error(`anjian exited early (${JSON.stringify(exited)}) while starting: ${bin} ${args.join(' ')}\n${tail()}`);
    }
    if (!ready) {
      try {
        const res = await fetch(`${baseURL}/readyz`, { signal: AbortSignal.timeout(2000) });
        ready = res.status === 200;
      } catch { /* not listening yet */ }
    }
    server.accounts = parseAccounts(stdout);
    if (ready && server.accounts.supervisor) break;
    await sleep(150);
  }
  if (!ready || !server.accounts.supervisor) {
    await server.stop();
    throw new Error(`anjian not ready after ${timeoutMs} ms (readyz ok: ${ready}, accounts parsed: ${Object.keys(server.accounts).join(',') || 'none'})\n${tail()}`);
  }
  if (!/已启动/.test(stdout)) {
    // The contract says the banner line is printed; report it loudly but do not hide other results.
    process.stderr.write(`warning: startup banner "anjian 已启动：${baseURL}/" not seen on stdout\n`);
  }
  return server;
}

export async function launchChromium() {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: install Debian's chromium (apt-get install chromium)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Record everything a person would see going wrong on a page:
 * console errors, uncaught exceptions, CSP violations, failed requests and 4xx/5xx sub-resources.
 * Call before the first navigation.
 */
export async function watchPage(page) {
  const problems = { consoleErrors: [], pageErrors: [], csp: [], failedRequests: [], badResponses: [] };
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || ''}:${e.lineNumber || ''}`);
    });
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      problems.consoleErrors.push(`${msg.text()}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
    if (/Content Security Policy/i.test(msg.text())) problems.csp.push(msg.text());
  });
  page.on('pageerror', (err) => problems.pageErrors.push(String(err && err.stack ? err.stack : err)));
  page.on('requestfailed', (req) => {
    problems.failedRequests.push(`${req.method()} ${req.url()}: ${req.failure() ? req.failure().errorText : 'failed'}`);
  });
  page.on('response', (res) => {
    const req = res.request();
    if (req.resourceType() !== 'document' && res.status() >= 400) {
      problems.badResponses.push(`${res.status()} ${req.method()} ${res.url()} (${req.resourceType()})`);
    }
  });
  problems.collectCsp = async () => {
    try {
      const v = await page.evaluate(() => window.__cspViolations || []);
      for (const x of v) if (!problems.csp.includes(x)) problems.csp.push(x);
    } catch { /* page gone */ }
    return problems.csp;
  };
  problems.reset = () => {
    for (const v of Object.values(problems)) if (Array.isArray(v)) v.length = 0;
  };
  problems.summary = () => {
    const out = [];
    for (const [k, v] of Object.entries(problems)) {
      if (Array.isArray(v) && v.length) out.push(`${k}:\n  ${v.join('\n  ')}`);
    }
    return out.join('\n');
  };
  return problems;
}

/** Log in through the HTML form. Returns the response of the form submission navigation. */
export async function login(page, baseURL, username, password) {
  await page.goto(`${baseURL}/login`, { waitUntil: 'load' });
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  const [resp] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator('form').filter({ has: page.locator('input[name="password"]') })
      .getByRole('button', { name: '登录' }).first().click(),
  ]);
  return resp;
}

/** Visible text lines that contain CJK ideographs. */
export async function cjkLines(page) {
  const text = await page.locator('body').innerText();
  return text.split(/\n+/).map((s) => s.trim()).filter((s) => /[\u4e00-\u9fff]/.test(s));
}

// ---------------------------------------------------------------------------
// Helpers of the workflow tests (see also lib/flow.mjs).
// (Imports are hoisted, so this one may sit here next to the helpers that use it.)
import zlib from 'node:zlib';

/** CRC-32 of PNG chunks: zlib.crc32 where Node has it (>= 20.15), else the bitwise definition. */
function crc32(buf) {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(buf) >>> 0;
  let c = 0xffffffff;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A small valid PNG (8-bit RGB), built in memory so that no binary fixture lives in the repo.
 * `paint(x, y)` returns [r, g, b]; the default draws a green field with a white diagonal band,
 * enough for the server to decode it and make a thumbnail.
 */
export function makePng(width = 96, height = 64, paint = null) {
  const pixel = paint || ((x, y) => (Math.abs(x - y * 1.5) < 6 ? [255, 255, 255] : [46, 125, 50]));
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter type: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw.set([r, g, b], row + 1 + x * 3);
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Selects the <option> whose visible text, without the full-width indentation of org trees,
 * equals `text` (selectOption({label}) needs the exact label, indentation included).
 */
export async function selectByText(select, text) {
  const value = await select.evaluate((el, wanted) => {
    const opt = Array.from(el.options).find((o) => o.textContent.replace(/^[\s\u3000]+|[\s\u3000]+$/g, '') === wanted);
    return opt ? opt.value : null;
  }, text);
  if (value === null) {
    const have = await select.evaluate((el) => Array.from(el.options).map((o) => o.textContent.trim()));
    throw new Error(`no option "${text}" in the select; options: ${have.join(' | ')}`);
  }
  await select.selectOption(value);
  return value;
}

/** Every main-frame document response of `page` with status >= 400 (watchPage only covers sub-resources). */
export function watchDocuments(page) {
  const bad = [];
  page.on('response', (res) => {
    const req = res.request();
    if (req.resourceType() === 'document' && req.frame() === page.mainFrame() && res.status() >= 400) {
      bad.push(`${res.status()} ${req.method()} ${res.url()}`);
    }
  });
  return bad;
}

/**
 * Asserts that the page shown now had no console errors, uncaught errors, CSP violations or
 * failed/4xx/5xx sub-resources, then clears the record for the next page. Throws with `where`.
 */
export async function assertCleanPage(problems, where) {
  await problems.collectCsp();
  const summary = problems.summary();
  if (summary) throw new Error(`${where}: the page had problems:\n${summary}`);
  problems.reset();
}
