'use strict'
// Every operation against the simulator, over TCP and a pty, V2 and V3.

const test = require('node:test')
const assert = require('node:assert/strict')
const { withSim, SETUPS, NO_PTY } = require('./helpers')

const MONEY = ['pay', 'refund', 'cancel', 'preauthorize']

for (const setup of SETUPS) {
  const skip = setup.sim.transport === 'pty' && NO_PTY
  test(`${setup.name}: every operation`, { timeout: 20000, skip }, async () => {
    await withSim(setup.sim, async (sim, terminal) => {
      for (const op of MONEY) {
        const outcome = await terminal[op]({ amount: 1250, currency: 'EUR' })
        assert.equal(outcome.status, 'approved', op)
        assert.equal(outcome.operation, op)
        assert.equal(outcome.amount, 1250, op)
        assert.equal(outcome.currency, 'EUR')
        assert.ok(outcome.frames.length >= 2, `${op}: frames sent and received`)
        assert.equal(outcome.frames[0].direction, 'sent')
        assert.ok(Buffer.isBuffer(outcome.frames[0].bytes))
        assert.ok(outcome.records.every((r) => Array.isArray(r) && r.length === 2))
      }
      const identify = await terminal.identify()
      assert.equal(identify.status, 'approved')
      if (setup.sim.protocol === 'v3') {
        assert.equal((await terminal.status()).status, 'approved')
        assert.equal((await terminal.settle()).status, 'approved')
      } else {
        for (const op of ['status', 'settle']) {
          await assert.rejects(terminal[op](), { code: 'CONCERT_INVALID_REQUEST', safeToRetry: true })
        }
      }
      const general = await terminal.transact({ operation: 'refund', amount: '3.00', currency: 978 })
      assert.equal(general.status, 'approved')
      assert.equal(general.amount, 300)
      assert.ok(sim.journal().length >= 5)
    })
  })
}

test('V3: card masked, receipt text, decimal and bigint amounts', async () => {
  await withSim({}, async (sim, terminal) => {
    const outcome = await terminal.pay({ amount: '12.50', currency: 'EUR', receipt: 'customer' })
    assert.equal(outcome.status, 'approved')
    assert.equal(outcome.amount, 1250)
    assert.match(outcome.cardNumber, /^\d{6}#+\d{4}$/)
    assert.match(outcome.receiptText, /12,50 EUR/)
    assert.equal(outcome.receipt.copy, 'customer')
    assert.equal(outcome.receipt.format, 'text')
    assert.ok(!JSON.stringify(outcome).includes('4970101234567894'), 'full card number leaked')
    const big = await terminal.pay({ amount: 990n, currency: 'EUR', privateData: 'T-42' })
    assert.equal(big.amount, 990)
    assert.equal(big.privateData, 'T-42')
  })
})

test('V2: card number masked in outcome, records and frames', { skip: NO_PTY }, async () => {
  await withSim({ protocol: 'v2' }, async (sim, terminal) => {
    const outcome = await terminal.pay({ amount: 1250, currency: 'EUR' })
    assert.equal(outcome.status, 'approved')
    const text = JSON.stringify(outcome) + outcome.frames.map((f) => f.bytes.toString('latin1')).join('')
    assert.ok(!text.includes('4970101234567894'), 'full card number leaked')
  })
})

test('scripted outcomes: decline, abandon, partial, terminal busy', async () => {
  await withSim({ scripts: ['decline:05', 'abandon', 'partial:500', 'busy'] }, async (sim, terminal) => {
    const declined = await terminal.pay({ amount: 1250, currency: 'EUR' })
    assert.equal(declined.status, 'declined')
    assert.equal(declined.reasonCode, '05')
    assert.equal((await terminal.pay({ amount: 1250, currency: 'EUR' })).status, 'aborted')
    const partial = await terminal.pay({ amount: 1250, currency: 'EUR', partialAllowed: true })
    assert.equal(partial.status, 'approved')
    assert.equal(partial.partial, true)
    assert.equal(partial.amount, 500)
    assert.equal(partial.requestedAmount, 1250)
    const busy = await terminal.pay({ amount: 1250, currency: 'EUR' })
    assert.notEqual(busy.status, 'approved')
    assert.notEqual(busy.status, 'in_doubt')
  })
})

test('an unreachable terminal is a safe-to-retry CONCERT_CONNECT error', async () => {
  const { Simulator, Terminal, ConcertError } = require('..')
  const sim = Simulator.start()
  const port = sim.port
  await sim.close()
  const terminal = Terminal.tcp('127.0.0.1', port, { connectTimeoutMs: 2000 })
  const error = await terminal.pay({ amount: 100, currency: 'EUR' }).catch((e) => e)
  assert.ok(error instanceof ConcertError)
  assert.equal(error.code, 'CONCERT_CONNECT')
  assert.equal(error.safeToRetry, true)
  await terminal.close()
})
