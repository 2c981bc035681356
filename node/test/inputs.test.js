'use strict'
// Bad inputs from JavaScript: rejected with a typed error and the
// documented code, never sent, never a crash.

const test = require('node:test')
const assert = require('node:assert/strict')
const { Terminal, Simulator, decode } = require('..')
const { withSim } = require('./helpers')

const INVALID = { code: 'CONCERT_INVALID_REQUEST', safeToRetry: true }

test('amounts: floats, NaN, negatives, too large, wrong types', async () => {
  await withSim({}, async (sim, terminal) => {
    const cases = [
      [12.5, TypeError],
      [NaN, TypeError],
      [Infinity, TypeError],
      [-1, RangeError],
      [-1n, RangeError],
      [2n ** 64n, RangeError],
      [Number.MAX_SAFE_INTEGER + 2, RangeError],
      [null, TypeError],
      [true, TypeError],
      [{}, TypeError],
    ]
    for (const [amount, type] of cases) {
      await assert.rejects(terminal.pay({ amount, currency: 'EUR' }), (e) => {
        assert.ok(e instanceof type, `${String(amount)}: ${e}`)
        assert.equal(e.code, INVALID.code)
        assert.equal(e.safeToRetry, true)
        return true
      })
    }
    // Well-typed but refused by the engine: too large for the protocol,
    // too precise for the currency, malformed, zero, missing.
    for (const amount of [2n ** 63n, '12.505', '12,50', '-1', '', 0, undefined]) {
      await assert.rejects(terminal.pay({ amount, currency: 'EUR' }), INVALID, String(amount))
    }
    assert.equal(sim.journal().length, 0, 'nothing reached the terminal')
  })
})

test('requests: missing currency, unknown fields, wrong types, undefined', async () => {
  await withSim({}, async (sim, terminal) => {
    await assert.rejects(terminal.pay({ amount: 1250 }), { ...INVALID, message: /currency/ })
    await assert.rejects(terminal.pay({ amount: 1250, currency: 'XYZ' }), INVALID)
    await assert.rejects(terminal.pay({ amount: 1250, currency: {} }), TypeError)
    await assert.rejects(terminal.pay({ amount: 1250, currency: 'EUR', ammount: 3 }), { ...INVALID, name: 'TypeError' })
    await assert.rejects(terminal.pay({ amount: 1250, currency: 'EUR', privateData: 42 }), TypeError)
    await assert.rejects(terminal.pay({ amount: 1250, currency: 'EUR', immediateAnswer: 'yes' }), TypeError)
    await assert.rejects(terminal.pay({ amount: 1250, currency: 'EUR', receipt: 'nobody' }), INVALID)
    await assert.rejects(terminal.pay({ amount: 1250, currency: 'EUR', application: 'bitcoin' }), INVALID)
    await assert.rejects(terminal.pay({ amount: 1250, currency: 'EUR', signal: 'stop' }), TypeError)
    await assert.rejects(terminal.pay({ amount: 1250, currency: 'EUR', privateData: 'x'.repeat(100) }), INVALID)
    await assert.rejects(terminal.pay(), { ...INVALID, name: 'TypeError' })
    await assert.rejects(terminal.pay(undefined), TypeError)
    await assert.rejects(terminal.pay(null), TypeError)
    await assert.rejects(terminal.pay(1250), TypeError)
    await assert.rejects(terminal.transact({ operation: 'sell', amount: 1, currency: 'EUR' }), INVALID)
    await assert.rejects(terminal.transact(undefined), TypeError)
    assert.equal(sim.journal().length, 0, 'nothing reached the terminal')
  })
})

test('terminal and simulator options are checked', async () => {
  assert.throws(() => Terminal.tcp('127.0.0.1', 0), TypeError)
  assert.throws(() => Terminal.tcp(undefined, 8888), TypeError)
  assert.throws(() => Terminal.tcp('127.0.0.1', 8888, { protocol: 'v2' }), { code: 'CONCERT_CONFIG' })
  assert.throws(() => Terminal.tcp('127.0.0.1', 8888, { protocol: 'v9' }), { code: 'CONCERT_CONFIG' })
  assert.throws(() => Terminal.tcp('127.0.0.1', 8888, { answerTimeoutMs: 1000 }), { code: 'CONCERT_CONFIG' })
  assert.throws(() => Terminal.tcp('127.0.0.1', 8888, { posNumber: 300 }), { code: 'CONCERT_CONFIG' })
  assert.throws(() => Terminal.tcp('127.0.0.1', 8888, { posNumber: 'one' }), { code: 'CONCERT_INVALID_REQUEST' })
  assert.throws(() => Terminal.tcp('127.0.0.1', 8888, { colour: 'red' }), TypeError)
  assert.throws(() => Terminal.serial('/dev/ttyACM0', { parity: 'Q' }), { code: 'CONCERT_CONFIG' })
  assert.throws(() => Simulator.start({ script: 'explode' }), { code: 'CONCERT_INVALID_REQUEST' })
  assert.throws(() => Simulator.start({ protocol: 'v2', transport: 'tcp' }), { code: 'CONCERT_SIMULATOR' })
  assert.throws(() => Simulator.start(42), TypeError)
  const sim = Simulator.start()
  assert.throws(() => sim.pushScript('decline:5'), { code: 'CONCERT_INVALID_REQUEST' })
  await sim.close()
  assert.throws(() => sim.pushScript('approve'), { code: 'CONCERT_CLOSED' })
  await sim.close()
})

test('decode: bad frames give CONCERT_DECODE with the offset', () => {
  assert.throws(() => decode('CZ004030'), (e) => e.code === 'CONCERT_DECODE' && Number.isInteger(e.offset))
  assert.throws(() => decode(42), TypeError)
  assert.throws(() => decode('CB0041250', { hint: 'v4' }), { code: 'CONCERT_INVALID_REQUEST' })
})

test('Windows COM names are serial paths (opened on the first request)', async () => {
  for (const path of ['COM3', 'COM10', '\\\\.\\COM10']) {
    const terminal = Terminal.serial(path)
    await terminal.close()
  }
})

test('a serial terminal on a missing port is CONCERT_PORT, safe to retry', async () => {
  const terminal = Terminal.serial('/dev/concert-no-such-port')
  await assert.rejects(terminal.pay({ amount: 100, currency: 'EUR' }), { code: 'CONCERT_PORT', safeToRetry: true })
  await terminal.close()
})
