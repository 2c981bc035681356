'use strict'
// Receipts come back exact; decode() says what an answer means.

const test = require('node:test')
const assert = require('node:assert/strict')
const { decode } = require('..')
const { withSim } = require('./helpers')

const TEXT = 'à bientôt\n12,50 €'

function zt(copy, bytes) {
  const b64 = Buffer.from(bytes).toString('base64').replace(/=+$/, '')
  const inner = `CK003${copy}AK${String(b64.length).padStart(3, '0')}${b64}`
  return `ZT${String(inner.length).padStart(3, '0')}${inner}`
}

// Windows-1252 for the customer copy, ISO-8859-15 for the merchant's.
const ANSWER =
  'CZ0040300CJ012247300123456CA00201CB0041250CD0010CE003978AE00210' +
  'CC003001AC006123456AA016497010######7894' +
  zt('100', [0xe0, ...Buffer.from(' bient'), 0xf4, ...Buffer.from('t\n12,50 '), 0x80]) +
  zt('110', [...Buffer.from('COMMERCANT\n12,50 '), 0xa4])

test('decode: the outcome of an answer, every ticket, exact text', () => {
  const { outcome } = decode(ANSWER)
  assert.equal(outcome.status, 'approved')
  assert.equal(outcome.amount, 1250)
  assert.equal(outcome.currency, 'EUR')
  assert.equal(outcome.cardNumber, '497010######7894')
  assert.equal(outcome.authorizationNumber, '123456')
  assert.equal(outcome.receiptText, TEXT)
  assert.deepEqual(outcome.receipts.map((r) => r.text), [TEXT, 'COMMERCANT\n12,50 €'])
  assert.equal(decode(Buffer.from(ANSWER)).outcome.status, 'approved')
  const declined = decode('CZ0040300CA00201CB0041250CD0010CE003978AE00201AF00204').outcome
  assert.equal(declined.status, 'declined')
  assert.equal(declined.reasonCode, '04')
  assert.equal(decode('CZ0040300CA00201CB0041250CD0010CE003978').outcome, undefined)
})

test('a payment receipt with accents and the euro sign', async () => {
  await withSim({ receiptText: TEXT, paymentType: 'cb-contactless', contract: '424242' }, async (_sim, terminal) => {
    const outcome = await terminal.pay({ amount: 1250, currency: 'EUR', receipt: 'customer' })
    assert.equal(outcome.status, 'approved')
    assert.equal(outcome.receiptText, TEXT)
    assert.equal(outcome.application.code, '00B')
    assert.equal(outcome.contract, '424242')
  })
})
