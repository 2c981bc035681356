'use strict'
// The shared vectors (tests/vectors/) decoded as the Rust tests read them.

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { decode } = require('..')

const vectors = (name) => require(path.join(__dirname, '..', '..', 'tests', 'vectors', name))
const pairs = (decoded) => decoded.fields.map((f) => [f.name, f.value])

test('V3 vectors: every record, in order', () => {
  const all = vectors('v3.json')
  assert.ok(all.length >= 5)
  for (const v of all) {
    const decoded = decode(v.frame, { hint: 'v3' })
    assert.equal(decoded.protocol, 'v3', v.name)
    assert.equal(decoded.serialFrame, false)
    assert.deepEqual(pairs(decoded), v.records, v.name)
  }
})

test('V2 vectors: every field, card data masked', () => {
  const all = vectors('v2.json')
  assert.ok(all.length >= 10)
  for (const v of all) {
    const kind = `v2-${v.kind.replace('E+', 'e+').replace(/^request-E$/, 'request-e')}`
    for (const input of [v.payload, Buffer.from(v.frame_hex, 'hex'), v.frame_hex]) {
      const decoded = decode(input, { hint: 'v2' })
      assert.equal(decoded.kind, kind, v.name)
      assert.equal(decoded.serialFrame, typeof input !== 'string' || input === v.frame_hex, v.name)
      const fields = Object.fromEntries(pairs(decoded))
      assert.deepEqual(Object.keys(fields).sort(), Object.keys(v.fields).sort(), v.name)
      for (const [name, value] of Object.entries(v.fields)) {
        if (name === 'rep') {
          // Same length; masked characters stand for digits only.
          assert.equal(fields.rep.length, value.length, v.name)
          for (let i = 0; i < value.length; i++) {
            assert.ok(fields.rep[i] === value[i] || (fields.rep[i] === '#' && /\d/.test(value[i])), `${v.name} rep[${i}]`)
          }
        } else {
          assert.equal(fields[name], value, `${v.name}: ${name}`)
        }
      }
    }
  }
})

test('V3 serial vector: the framed message reads as its payload', () => {
  for (const v of vectors('v3-serial.json')) {
    const framed = decode(Buffer.from(v.frame_hex, 'hex'))
    assert.equal(framed.serialFrame, true)
    assert.deepEqual(pairs(framed), pairs(decode(v.payload)))
    assert.deepEqual(Object.fromEntries(pairs(framed)).CB, '1234')
    assert.deepEqual(Object.fromEntries(pairs(framed)).CC, '001')
  }
})

test('ports() lists serial ports as plain objects', () => {
  const { ports } = require('..')
  const list = ports()
  assert.ok(Array.isArray(list))
  for (const p of list) assert.equal(typeof p.path, 'string')
})
