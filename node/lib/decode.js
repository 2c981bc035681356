'use strict'
// decode(frame): any frame read field by field, as the Rust core reads it.

const { nativeDecode, ports: nativePorts } = require('./native')
const { ConcertError, DECODE, invalidType, native } = require('./errors')

/**
 * Reads a V2 payload, V3 message or whole serial frame (bytes, text, or
 * the hex of a serial frame). Throws CONCERT_DECODE with `offset` when the
 * input is not a frame.
 */
function decode(frame, options = {}) {
  if (typeof frame !== 'string' && !(frame instanceof Uint8Array)) {
    throw invalidType('decode takes a string, a Buffer or a Uint8Array')
  }
  const input = typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)
  const decoded = native(() => nativeDecode(input, options.hint))
  if (decoded.error !== undefined) {
    const error = new ConcertError(DECODE, `${decoded.error} at byte ${decoded.offset}`)
    error.offset = decoded.offset
    throw error
  }
  const out = {
    protocol: decoded.protocol,
    kind: decoded.kind,
    serialFrame: decoded.serialFrame,
    fields: decoded.fields,
    records: decoded.records,
  }
  if (decoded.outcome !== undefined) out.outcome = decoded.outcome
  return out
}

/** The serial ports of this machine, known terminals flagged. */
function ports() {
  return native(() => nativePorts())
}

module.exports = { decode, ports }
