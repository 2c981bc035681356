'use strict'
// Every error this package throws carries a stable `code` and
// `safeToRetry`, both from the engine's one table of error codes (the same
// strings as in C, Python and the command line): an error always means
// nothing reached the terminal (a request whose fate is unknown is an
// outcome with status 'in_doubt').

const { nativeErrorCodes } = require('./native')

/** code → safeToRetry, as the engine's table says. */
const TABLE = new Map(nativeErrorCodes().map((c) => [c.code, c.safeToRetry]))

/** A code of the table, checked when this module loads. */
function known(code) {
  if (!TABLE.has(code)) throw new Error(`${code} is not in the engine's table of error codes`)
  return code
}

const INVALID_REQUEST = known('CONCERT_INVALID_REQUEST')
const CANCELLED = known('CONCERT_CANCELLED')
const DECODE = known('CONCERT_DECODE')

/** Whether a call that failed with `code` may be made again: the table
 * says for its codes; the journal's finer codes (CONCERT_JOURNAL_…) and
 * its argument checks concern nothing sent to a terminal. */
function safeToRetry(code) {
  return TABLE.has(code) ? TABLE.get(code) === true : true
}

/** An error from the engine: `code` is stable, `safeToRetry` from the table. */
class ConcertError extends Error {
  constructor(code, message, options) {
    super(message, options)
    this.name = 'ConcertError'
    this.code = code
    this.safeToRetry = safeToRetry(code)
  }
}

/**
 * What an aborted call rejects with, as Node's own APIs do (`name` is
 * 'AbortError', `cause` is the signal's reason), with our code:
 * CONCERT_CANCELLED, safe to retry (nothing reached the terminal).
 */
class AbortError extends ConcertError {
  constructor(message, signal) {
    super(CANCELLED, message, signal === undefined ? undefined : { cause: signal.reason })
    this.name = 'AbortError'
  }
}

function tag(error, code) {
  error.code = code
  error.safeToRetry = safeToRetry(code)
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
  if (error instanceof ConcertError || (error && typeof error.safeToRetry === 'boolean')) return error
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

module.exports = {
  ConcertError,
  AbortError,
  INVALID_REQUEST,
  CANCELLED,
  DECODE,
  invalidType,
  outOfRange,
  fromNative,
  native,
}
