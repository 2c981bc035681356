// The bridge's test till page in headless Chromium: a payment approved
// with its receipt, a declined one, an answer cut by the simulator shown
// in doubt, and a page from another origin refused with nothing started.
//
// CONCERT_BIN: the `concert` binary (default: target/debug/concert).
// SCREENSHOTS: where the screenshots go (default: target/browser-screenshots).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = process.env.CONCERT_BIN || join(root, "target/debug/concert");
const shots = process.env.SCREENSHOTS || join(root, "target/browser-screenshots");
const WAIT = 20_000;

const children = [];
let bridgeUrl;
let context;
let profile;

/** Starts `concert args…` and resolves with its first stdout line. */
function start(args) {
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let log = "";
  child.stderr.on("data", (d) => { log += d; });
  return new Promise((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`concert ${args.join(" ")}: no first line\n${log}`)), WAIT);
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      resolveLine(line);
    });
    child.once("exit", (code) => reject(new Error(`concert ${args.join(" ")} exited (${code})\n${log}`)));
  });
}

async function transactions() {
  const r = await fetch(bridgeUrl + "v1/transactions?limit=100");
  return (await r.json()).transactions;
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  const shop = await start(["simulate", "--tcp", "127.0.0.1:0", "--outcome", "approve", "--outcome", "decline:05", "--outcome", "approve"]);
  const cut = await start(["simulate", "--tcp", "127.0.0.1:0", "--close-mid-answer"]);
  bridgeUrl = await start(["serve", "--listen", "127.0.0.1:0",
    "--terminal", `shop=tcp://${shop}`, "--terminal", `cut=tcp://${cut}`]);
  assert.match(bridgeUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  profile = mkdtempSync(join(tmpdir(), "concert-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
    viewport: { width: 1100, height: 820 },
    timeout: WAIT,
  });
});

after(async () => {
  if (context) await context.close();
  for (const child of children) child.kill("SIGTERM");
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function openTill() {
  const page = await context.newPage();
  await page.goto(bridgeUrl, { timeout: WAIT });
  await page.waitForSelector("body[data-ready=true]", { timeout: WAIT });
  return page;
}

async function pay(page, terminal, amount) {
  await page.selectOption("#terminal", terminal);
  await page.fill("#amount", amount);
  await page.click("#pay");
  await page.waitForFunction(() => {
    const s = document.getElementById("status").className;
    return s && s !== "running";
  }, null, { timeout: WAIT });
  return (await page.textContent("#status")).trim();
}

test("pay: approved, the receipt shown", { timeout: 60_000 }, async () => {
  const page = await openTill();
  const status = await pay(page, "shop", "12.50");
  assert.equal(status, "APPROVED");
  const receipt = await page.textContent("#receipt");
  assert.ok(receipt.trim().length > 0, "a receipt is shown");
  const details = await page.textContent("#details");
  assert.match(details, /12\.50 EUR/);
  assert.match(details, /card \d{6}#{6}\d{4}/, "the masked card number only");
  assert.doesNotMatch(await page.content(), /4970101234567894/);
  assert.match(await page.textContent("#events"), /waiting_for_answer/);
  await page.screenshot({ path: join(shots, "approved.png"), fullPage: true });
  await page.close();
});

test("pay: declined", { timeout: 60_000 }, async () => {
  const page = await openTill();
  const status = await pay(page, "shop", "8.00");
  assert.equal(status, "DECLINED");
  await page.screenshot({ path: join(shots, "declined.png"), fullPage: true });
  await page.close();
});

test("the simulator cuts the answer: in doubt shown and listed", { timeout: 60_000 }, async () => {
  const page = await openTill();
  const status = await pay(page, "cut", "7.00");
  assert.match(status, /^IN DOUBT/);
  await page.waitForFunction(() => document.querySelectorAll("#indoubt li").length > 0, null, { timeout: WAIT });
  assert.match(await page.textContent("#indoubt"), /7\.00 EUR on cut/);
  await page.screenshot({ path: join(shots, "in-doubt.png"), fullPage: true });
  await page.close();
});

test("a page from another origin is refused; nothing reaches a terminal", { timeout: 60_000 }, async () => {
  const before = (await transactions()).length;
  const page = await context.newPage();
  const target = bridgeUrl + "v1/transactions";
  await page.route("http://shop.invalid/**", (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><title>another origin</title><h1>another origin</h1><pre id="out">…</pre>
<script>
(async () => {
  const lines = [];
  try {
    await fetch(${JSON.stringify(target)}, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ operation: "pay", amount: 100 }) });
    lines.push("json POST: answered");
  } catch (e) { lines.push("json POST: refused (" + e.message + ")"); }
  try {
    // A "simple" request: no preflight, the bridge itself must refuse it.
    await fetch(${JSON.stringify(target)}, { method: "POST", mode: "no-cors",
      headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ operation: "pay", amount: 100 }) });
    lines.push("simple POST: sent");
  } catch (e) { lines.push("simple POST: refused (" + e.message + ")"); }
  document.getElementById("out").textContent = lines.join("\\n");
  document.body.dataset.done = "true";
})();
</script>`,
  }));
  await page.goto("http://shop.invalid/till", { timeout: WAIT });
  await page.waitForSelector("body[data-done=true]", { timeout: WAIT });
  const out = await page.textContent("#out");
  assert.match(out, /json POST: refused/);
  await page.screenshot({ path: join(shots, "origin-refused.png"), fullPage: true });
  await page.close();
  // The bridge's answer to that origin, and nothing started.
  const r = await fetch(target, { method: "POST", headers: { Origin: "http://shop.invalid" },
    body: JSON.stringify({ operation: "pay", amount: 100 }) });
  assert.equal(r.status, 403);
  assert.equal((await r.json()).error.code, "CONCERT_ORIGIN_REFUSED");
  assert.equal((await transactions()).length, before, "no transaction started");
});
