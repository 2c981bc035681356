'use strict'
// The engine's logs reach the application's logger, masked, and stop.

const test = require('node:test')
const assert = require('node:assert/strict')
const { setLogger } = require('..')
const { withSim } = require('./helpers')

const FULL_CARD = '4970101234567894'

test('setLogger receives the engine records, card numbers masked, the wire trace at trace', async () => {
  const records = []
  setLogger((r) => records.push(r), { level: 'trace' })
  try {
    await withSim({}, async (sim, terminal) => {
      assert.equal((await terminal.pay({ amount: 1250, currency: 'EUR' })).status, 'approved')
    })
    // Records cross from the engine's threads through the event loop.
    await new Promise((resolve) => setImmediate(resolve))
    assert.ok(records.some((r) => r.level === 'info' && r.target.includes('terminal')))
    assert.ok(records.filter((r) => r.level === 'trace' && r.target === 'concert::wire').length >= 2)
    assert.ok(records.some((r) => r.message.includes('497010######7894')))
    assert.ok(!records.some((r) => r.message.includes(FULL_CARD)))
  } finally {
    setLogger(null)
  }
  // The second payment (CB003100 on the wire) is not traced any more.
  await withSim({}, async (sim, terminal) => {
    await terminal.pay({ amount: 100, currency: 'EUR' })
  })
  await new Promise((resolve) => setImmediate(resolve))
  assert.ok(!records.some((r) => r.message.includes('CB003100')), 'no record after setLogger(null)')
})

test('setLogger checks its arguments', () => {
  assert.throws(() => setLogger('console'), { code: 'CONCERT_INVALID_REQUEST' })
  assert.throws(() => setLogger(() => {}, { level: 'loud' }), { code: 'CONCERT_INVALID_REQUEST' })
  setLogger(null)
})
