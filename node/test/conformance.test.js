'use strict'
// tests/conformance/*.json, read and checked by Node itself: every
// spelling, request payload and answer's outcome as the core defines them.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const path = require('node:path')
const { Terminal, decode } = require('..')

const CASES = path.join(__dirname, '..', '..', 'tests', 'conformance')
const load = (name) => JSON.parse(fs.readFileSync(path.join(CASES, `${name}.json`), 'utf8'))

/** snake_case (the files' vocabulary) → camelCase (this package's). */
const camel = (key) => key.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

function requestOf(spec) {
  const request = {}
  for (const [key, value] of Object.entries(spec)) {
    if (key !== 'receipt_format') request[camel(key)] = value
  }
  if (spec.receipt !== undefined) request.receipt = { copy: spec.receipt, format: spec.receipt_format }
  return request
}

function terminalOf(spec, port = 8888) {
  const options = { protocol: spec.protocol }
  if (spec.pos_number !== undefined) options.posNumber = spec.pos_number
  if (spec.cash_register_id !== undefined) options.cashRegisterId = spec.cash_register_id
  return spec.protocol.startsWith('v2') ? Terminal.serial('/dev/null', options) : Terminal.tcp('127.0.0.1', port, options)
}

/** Accepted when a V3 or a V2 terminal takes the request (some words
 * exist in one protocol only); otherwise the error both give. */
function encodeEither(request) {
  const errors = []
  for (const protocol of ['v3', 'v2']) {
    try {
      terminalOf({ protocol }).encode(request)
      return
    } catch (error) {
      errors.push(error)
    }
  }
  throw errors[0]
}

const SPELLERS = {
  protocol: (w) => Terminal.serial('/dev/null', { protocol: w }),
  parity: (w) => Terminal.serial('/dev/null', { protocol: 'v2', parity: w }),
  application: (w) => encodeEither({ operation: 'pay', amount: 100, currency: 'EUR', application: w }),
  operation: (w) => encodeEither({ operation: w, amount: 100, currency: 'EUR' }),
  receipt_copy: (w) => encodeEither({ operation: 'pay', amount: 100, currency: 'EUR', receipt: w }),
  receipt_format: (w) =>
    encodeEither({ operation: 'pay', amount: 100, currency: 'EUR', receipt: { copy: 'customer', format: w } }),
  hint: (w) => {
    try {
      decode('CZ0040300', { hint: w })
    } catch (error) {
      if (error.code !== 'CONCERT_DECODE') throw error
    }
  },
  currency: (w) => encodeEither({ operation: 'pay', amount: 100, currency: w }),
}

test('spellings: accepted, or the exact error code', () => {
  for (const c of load('spellings')) {
    const speller = SPELLERS[c.kind]
    if (c.accepted) {
      assert.doesNotThrow(() => speller(c.given), `${c.kind} ${JSON.stringify(c.given)}`)
    } else {
      assert.throws(() => speller(c.given), { code: c.error }, `${c.kind} ${JSON.stringify(c.given)}`)
    }
  }
})

test('requests: the exact payload on the wire, or the exact error code', () => {
  for (const c of load('requests')) {
    const terminal = terminalOf(c.terminal)
    const request = requestOf(c.request)
    if (c.wire !== undefined) {
      assert.equal(terminal.encode(request).toString('latin1'), c.wire, c.name)
    } else {
      assert.throws(() => terminal.encode(request), { code: c.error }, c.name)
    }
  }
})

/** A V3 terminal on loopback answering one request with `answer`. */
async function replay(c) {
  const sent = []
  const server = net.createServer((socket) => {
    let data = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk])
      if (data.length >= c.wire.length) {
        sent.push(data.toString('latin1'))
        socket.end(Buffer.from(c.answer, 'latin1'))
      }
    })
    socket.on('error', () => {})
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const terminal = terminalOf({ protocol: 'v3' }, server.address().port)
    const outcome = await terminal.transact(requestOf(c.request))
    await terminal.close()
    return { outcome, sent }
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

test('answers: the exact outcome', async () => {
  for (const c of load('answers')) {
    const { outcome, sent } = await replay(c)
    assert.deepEqual(sent, [c.wire], c.name)
    const got = {}
    for (const key of Object.keys(c.outcome)) {
      const value = outcome[camel(key)]
      got[key] = value === undefined ? null : value
    }
    assert.deepEqual(got, c.outcome, c.name)
  }
})

test("the ErrorCode type lists every code of the engine's table", () => {
  const { nativeErrorCodes } = require('../index.js')
  const types = fs.readFileSync(path.join(__dirname, '..', 'lib', 'index.d.ts'), 'utf8')
  const union = types.slice(types.indexOf('export type ErrorCode ='), types.indexOf('export declare class ConcertError'))
  const listed = new Set([...union.matchAll(/'(CONCERT_[A-Z_]+)'/g)].map((m) => m[1]))
  for (const { code } of nativeErrorCodes()) assert.ok(listed.has(code), code)
})
