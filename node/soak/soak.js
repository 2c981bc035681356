'use strict'
// Node soak: COUNT payments against a simulator in another process, in the
// three forms a till uses (await, events, AbortSignal), with RSS, the V8
// heap after a full GC, threads, handles and active resources reported at
// start, at each checkpoint and at the end.
//
//   node --expose-gc soak/soak.js [COUNT]   (default 30000; `make soak-node`)
//
// Fails (exit 1) when a payment is not approved, when threads, handles or
// active resources grow, or when the heap after GC grows beyond
// SOAK_HEAP_SLACK_MB (default 4): what the engine retains per payment
// would show there first.

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { Terminal } = require('..')

function figures() {
  if (global.gc) global.gc()
  const memory = process.memoryUsage()
  return {
    rssKb: Math.round(memory.rss / 1024),
    heapKb: Math.round(memory.heapUsed / 1024),
    externalKb: Math.round(memory.external / 1024),
    threads: fs.readdirSync('/proc/self/task').length,
    handles: fs.readdirSync('/proc/self/fd').length,
    resources: process.getActiveResourcesInfo().length,
  }
}

async function awaitForm(terminal, n) {
  let approved = 0
  for (let i = 0; i < n; i++) {
    const outcome = await terminal.pay({ amount: 100 + (i % 50), currency: 'EUR' })
    approved += outcome.status === 'approved'
  }
  return approved
}

async function eventForm(terminal, n) {
  let approved = 0
  let events = 0
  const listener = () => events++
  terminal.on('event', listener)
  for (let i = 0; i < n; i++) {
    const outcome = await terminal.pay({ amount: 100 + (i % 50), currency: 'EUR', onEvent: () => {} })
    approved += outcome.status === 'approved'
  }
  terminal.off('event', listener)
  if (events < n * 4) throw new Error(`only ${events} events for ${n} payments`)
  return approved
}

async function signalForm(terminal, n) {
  let approved = 0
  const controller = new AbortController()
  for (let i = 0; i < n; i++) {
    // One long-lived signal: each call must remove its listener.
    const outcome = await terminal.pay({ amount: 100 + (i % 50), currency: 'EUR', signal: controller.signal })
    approved += outcome.status === 'approved'
  }
  return approved
}

function show(label, f) {
  console.log(
    `soak-node: ${label}: RSS ${(f.rssKb / 1024).toFixed(1)} MB, heap ${(f.heapKb / 1024).toFixed(2)} MB, ` +
      `external ${(f.externalKb / 1024).toFixed(2)} MB, threads ${f.threads}, handles ${f.handles}, resources ${f.resources}`,
  )
}

async function main() {
  const count = Number(process.argv[2] || 30000)
  const slackMb = Number(process.env.SOAK_HEAP_SLACK_MB || 4)
  const sim = spawn(process.execPath, [path.join(__dirname, 'simulator.js')], { stdio: ['pipe', 'pipe', 'inherit'] })
  const port = await new Promise((resolve, reject) => {
    sim.stdout.once('data', (d) => resolve(Number(String(d).trim())))
    sim.once('exit', () => reject(new Error('the simulator process ended')))
  })
  const terminal = Terminal.tcp('127.0.0.1', port)
  const forms = [
    ['await', awaitForm],
    ['events', eventForm],
    ['signal', signalForm],
  ]
  let failures = []
  try {
    for (const [, form] of forms) await form(terminal, 50)
    const start = figures()
    show('start', start)
    const started = Date.now()
    const perForm = Math.floor(count / forms.length)
    let approved = 0
    for (const [name, form] of forms) {
      const t0 = Date.now()
      approved += await form(terminal, perForm)
      const f = figures()
      show(`${perForm} ${name} payments in ${((Date.now() - t0) / 1000).toFixed(1)} s`, f)
    }
    const end = figures()
    show('end', end)
    const total = perForm * forms.length
    console.log(`soak-node: ${total} payments in ${((Date.now() - started) / 1000).toFixed(1)} s, ${approved} approved`)
    console.log(
      `soak-node: per payment: heap ${(((end.heapKb - start.heapKb) * 1024) / total).toFixed(1)} bytes, ` +
        `RSS ${(((end.rssKb - start.rssKb) * 1024) / total).toFixed(1)} bytes`,
    )
    if (approved !== total) failures.push(`${total - approved} payments not approved`)
    // Idle workers of the engine come and go: a few, never one per payment.
    if (end.threads > start.threads + 4) failures.push('threads grew')
    if (end.handles > start.handles + 4) failures.push('handles grew')
    if (end.resources > start.resources) failures.push('active resources grew')
    if (global.gc && end.heapKb - start.heapKb > slackMb * 1024) failures.push(`heap grew by more than ${slackMb} MB`)
  } finally {
    await terminal.close()
    sim.stdin.end()
  }
  for (const failure of failures) console.log(`soak-node: FAIL: ${failure}`)
  process.exitCode = failures.length ? 1 : 0
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
