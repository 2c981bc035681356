'use strict'
// Events in order, abort, busy, in doubt, and an event loop that keeps
// serving while a payment waits.

const test = require('node:test')
const assert = require('node:assert/strict')
const { withSim, nextEvent, NO_PTY } = require('./helpers')
const { AbortError, ConcertError } = require('..')

test('events arrive in order, before the promise settles, to both listeners', async () => {
  for (const transport of NO_PTY ? ['tcp'] : ['tcp', 'pty']) {
    await withSim({ transport }, async (sim, terminal) => {
      const seen = []
      const perCall = []
      terminal.on('event', (e) => seen.push(e.kind))
      const outcome = await terminal.pay({ amount: 1250, currency: 'EUR', onEvent: (e) => perCall.push(e) })
      const expected =
        transport === 'tcp'
          ? ['connecting', 'sent', 'waiting_for_answer', 'answer_received', 'done']
          : ['connecting', 'sent', 'acknowledged', 'waiting_for_answer', 'answer_received', 'done']
      assert.deepEqual(seen, expected, transport)
      assert.deepEqual(perCall.map((e) => e.kind), expected)
      assert.deepEqual(perCall.at(-1), { kind: 'done', operation: 'pay', status: outcome.status })
    })
  }
})

test('the event loop keeps serving while a payment waits', async () => {
  await withSim({ answerDelayMs: 400 }, async (sim, terminal) => {
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    const started = Date.now()
    try {
      const outcome = await terminal.pay({ amount: 1250, currency: 'EUR' })
      assert.equal(outcome.status, 'approved')
    } finally {
      clearInterval(timer)
    }
    assert.ok(Date.now() - started >= 350, 'the simulator answered after its delay')
    assert.ok(ticks >= 10, `only ${ticks} timer ticks during a 400 ms payment`)
  })
})

test('a second transaction while one runs is CONCERT_BUSY, safe to retry', async () => {
  await withSim({ answerDelayMs: 300 }, async (sim, terminal) => {
    const first = terminal.pay({ amount: 1250, currency: 'EUR' })
    assert.equal(terminal.busy, true)
    await assert.rejects(terminal.pay({ amount: 100, currency: 'EUR' }), {
      name: 'ConcertError',
      code: 'CONCERT_BUSY',
      safeToRetry: true,
    })
    assert.equal((await first).status, 'approved')
    assert.equal(terminal.busy, false)
    assert.equal((await terminal.pay({ amount: 100, currency: 'EUR' })).status, 'approved')
  })
})

test('a pre-aborted signal rejects with an AbortError as Node does, with our code; nothing is sent', async () => {
  await withSim({}, async (sim, terminal) => {
    const controller = new AbortController()
    const reason = new Error('till closed the sale')
    controller.abort(reason)
    const rejected = await terminal.pay({ amount: 1250, currency: 'EUR', signal: controller.signal }).catch((e) => e)
    assert.ok(rejected instanceof AbortError && rejected instanceof ConcertError && rejected instanceof Error)
    assert.equal(rejected.name, 'AbortError')
    assert.equal(rejected.code, 'CONCERT_CANCELLED')
    assert.equal(rejected.safeToRetry, true)
    assert.equal(rejected.cause, reason)
    // The same shape as Node's own abortable APIs.
    const nodeOwn = await require('node:timers/promises')
      .setTimeout(1, undefined, { signal: AbortSignal.abort() })
      .catch((e) => e)
    assert.equal(nodeOwn.name, rejected.name)
    assert.equal(sim.journal().length, 0)
  })
})

test('terminal.abort() stops a running payment from elsewhere: in doubt once sent', async () => {
  await withSim({ faults: { neverAnswer: true } }, async (sim, terminal) => {
    const payment = terminal.pay({ amount: 1250, currency: 'EUR' })
    assert.equal(await sim.waitForRequests(1, 5000), true)
    const started = Date.now()
    terminal.abort()
    const outcome = await payment
    assert.equal(outcome.status, 'in_doubt')
    assert.ok(Date.now() - started < 3000, 'abort took effect promptly')
    terminal.abort() // nothing running: nothing happens
    assert.equal(terminal.busy, false)
  })
})

test('abort after the request reached the terminal is in doubt, never declined', async () => {
  await withSim({ faults: { neverAnswer: true } }, async (sim, terminal) => {
    const controller = new AbortController()
    const waiting = nextEvent(terminal, 'waiting_for_answer')
    const payment = terminal.pay({ amount: 1250, currency: 'EUR', signal: controller.signal })
    await waiting
    assert.equal(await sim.waitForRequests(1, 5000), true)
    const started = Date.now()
    controller.abort()
    const outcome = await payment
    assert.equal(outcome.status, 'in_doubt')
    assert.ok(outcome.inDoubtCause)
    assert.ok(Date.now() - started < 3000, 'abort took effect promptly')
  })
})

test('an answer cut in the middle is in doubt with what was received', async () => {
  await withSim({ faults: { closeMidAnswer: true } }, async (sim, terminal) => {
    const outcome = await terminal.pay({ amount: 1250, currency: 'EUR' })
    assert.equal(outcome.status, 'in_doubt')
    assert.ok(outcome.rawAnswer && outcome.rawAnswer.length > 0)
    assert.ok(outcome.frames.some((f) => f.direction === 'received'))
  })
})

test('close stops a running transaction and refuses later calls', async () => {
  await withSim({ faults: { neverAnswer: true } }, async (sim, terminal) => {
    const waiting = nextEvent(terminal, 'waiting_for_answer')
    const payment = terminal.pay({ amount: 1250, currency: 'EUR' })
    await waiting
    await terminal.close()
    assert.equal((await payment).status, 'in_doubt')
    assert.equal(terminal.closed, true)
    assert.equal(terminal.listenerCount('event'), 0)
    await assert.rejects(terminal.pay({ amount: 1, currency: 'EUR' }), { code: 'CONCERT_CLOSED' })
  })
})
