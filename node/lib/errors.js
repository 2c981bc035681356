'use strict'
// Every error this package throws carries a stable `code` and
// `safeToRetry`: an error always means nothing reached the terminal (a
// request whose fate is unknown is an outcome with status 'in_doubt').

const INVALID_REQUEST = 'CONCERT_INVALID_REQUEST'

/** An error from the engine: `code` is stable, `safeToRetry` is true. */
class ConcertError extends Error {
  constructor(code, message) {
    super(message)
    this.name = 'ConcertError'
    this.code = code
    this.safeToRetry = true
  }
}

function tag(error, code) {
  error.code = code
  error.safeToRetry = true
  return error
}

/** A value of the wrong JavaScript type. */
function invalidType(message) {
  return tag(new TypeError(message), INVALID_REQUEST)
}

/** A value of the right type outside what is allowed. */
function outOfRange(message) {
  return tag(new RangeError(message), INVALID_REQUEST)
}

/**
 * An error thrown by the native layer: the engine's own codes stay; a value
 * napi-rs could not convert becomes an invalid request (TypeError).
 */
function fromNative(error) {
  if (error instanceof ConcertError || (error && error.safeToRetry === true)) return error
  const message = error && error.message ? error.message : String(error)
  const code = error && error.code
  if (typeof code === 'string' && code.startsWith('CONCERT_')) return new ConcertError(code, message)
  return invalidType(message)
}

/** Runs `fn`, turning what the native layer throws into package errors. */
function native(fn) {
  try {
    return fn()
  } catch (error) {
    throw fromNative(error)
  }
}

module.exports = { ConcertError, INVALID_REQUEST, invalidType, outOfRange, fromNative, native }
