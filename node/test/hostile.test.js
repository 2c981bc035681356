'use strict'
// Answers that must not be misreported, late answers kept, absurd
// durations refused: what the core guarantees, seen from Node.

const test = require('node:test')
const assert = require('node:assert/strict')

const { Terminal } = require('..')
const { withSim, nextEvent } = require('./helpers')

test('an absurd time-out is refused before anything is sent', () => {
  for (const answerTimeoutMs of [1e19, 2 ** 32 + 60_000, 86_400_001, -1, 1.5]) {
    assert.throws(() => Terminal.tcp('127.0.0.1', 8888, { answerTimeoutMs }), {
      code: 'CONCERT_CONFIG',
    })
  }
  Terminal.tcp('127.0.0.1', 8888, { answerTimeoutMs: 86_400_000 })
})

test('a partial approval says so', async () => {
  await withSim({ script: 'partial:1000' }, async (_sim, terminal) => {
    const outcome = await terminal.pay({ amount: 1250, currency: 'EUR' })
    assert.equal(outcome.status, 'approved')
    assert.equal(outcome.partial, true)
    assert.equal(outcome.amount, 1000)
    assert.deepEqual(outcome.lateAnswers, [])
  })
})

test('a late serial answer is kept and handed over once', async () => {
  await withSim({ protocol: 'v2', transport: 'pty', answerDelayMs: 500 }, async (_sim, terminal) => {
    const controller = new AbortController()
    const waiting = nextEvent(terminal, 'waiting_for_answer')
    const payment = terminal.pay({ amount: 1250, currency: 'EUR', privateData: 'T42', signal: controller.signal })
    await waiting
    controller.abort() // the caller's own time-out
    assert.equal((await payment).status, 'in_doubt')
    let late = []
    for (let i = 0; i < 500 && late.length === 0; i++) {
      late = terminal.takeLateAnswers()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    assert.equal(late.length, 1)
    const [answer] = late
    assert.equal(answer.outcome.status, 'approved')
    assert.equal(answer.outcome.amount, 1250)
    assert.equal(answer.operation, 'pay')
    assert.equal(answer.requestedAmount, 1250)
    assert.equal(answer.privateData, 'T42')
    assert.ok(Buffer.isBuffer(answer.raw) && answer.raw.equals(answer.outcome.rawAnswer))
    assert.ok(Math.abs(answer.receivedAtMs - Date.now()) < 60_000)
    assert.deepEqual(terminal.takeLateAnswers(), [])
    const next = await terminal.pay({ amount: 300, currency: 'EUR' })
    assert.equal(next.status, 'approved')
    assert.deepEqual(next.lateAnswers, [])
  })
})
