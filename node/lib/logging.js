'use strict'
// The engine's logs, to the application's logger.

const { nativeSetLogger } = require('./native')
const { invalidType, native } = require('./errors')

/**
 * Sends the engine's log records (process-wide) to `logger(record)`, with
 * `record = { level, target, message }`; `null` stops them. `level` is the
 * most detailed level wanted (default 'info'); 'trace' adds the wire trace
 * (target 'concert::wire': every byte sent and received, hex and ASCII).
 * Card numbers are masked before a record is made. The logger runs on the
 * event loop and never keeps the process alive.
 */
function setLogger(logger, options = {}) {
  if (logger !== null && typeof logger !== 'function') {
    throw invalidType('setLogger takes a function (record) => void, or null')
  }
  if (options === null || typeof options !== 'object') throw invalidType('setLogger options must be an object')
  const level = options.level === undefined ? 'info' : options.level
  if (typeof level !== 'string') throw invalidType('level must be a string: off, error, warn, info, debug or trace')
  native(() => nativeSetLogger(logger, level))
}

module.exports = { setLogger }
