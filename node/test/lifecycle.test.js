'use strict'
// A till script that pays and returns must exit by itself: nothing the
// package holds (listeners, threads, the simulator) keeps Node alive.

const test = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const path = require('node:path')
const { NO_PTY } = require('./helpers')

const PACKAGE = JSON.stringify(path.join(__dirname, '..'))

function runScript(source, limitMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the script did not exit within ${limitMs} ms; stderr: ${stderr}`))
    }, limitMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

test('a script that pays and returns exits by itself (nothing closed)', async () => {
  const { code, stdout, stderr } = await runScript(
    `
    const { Terminal, Simulator } = require(${PACKAGE})
    const sim = Simulator.start({ answerDelayMs: 100 })
    const terminal = Terminal.tcp(sim.host, sim.port, { onEvent: () => {} })
    terminal.on('event', () => {})
    terminal.pay({ amount: 1250, currency: 'EUR' }).then((o) => console.log(o.status))
    `,
    10000,
  )
  assert.equal(stderr, '')
  assert.equal(code, 0)
  assert.equal(stdout.trim(), 'approved')
})

test('a pending payment keeps the script alive until it settles, then it exits', { skip: NO_PTY }, async () => {
  const { code, stdout } = await runScript(
    `
    const { Simulator } = require(${PACKAGE})
    const sim = Simulator.start({ protocol: 'v2', answerDelayMs: 300 })
    sim.terminal().pay({ amount: 1250, currency: 'EUR' }).then(async (o) => {
      console.log(o.status)
      await sim.close()
    })
    `,
    10000,
  )
  assert.equal(code, 0)
  assert.equal(stdout.trim(), 'approved')
})
