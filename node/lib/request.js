'use strict'
// A request object from the caller → the native request, with JavaScript
// types checked here (TypeError / RangeError, code CONCERT_INVALID_REQUEST).

const { invalidType } = require('./errors')
const { splitAmount } = require('./amount')

const STRINGS = [
  'privateData',
  'application',
  'receiptFormat',
  'originalReference',
  'customerPhone',
  'customerEmail',
]
const BOOLEANS = ['immediateAnswer', 'forceAuthorization', 'partialAllowed', 'fullAnswer']
// Options of the call itself, not sent to the terminal.
const CALL_OPTIONS = ['signal', 'onEvent']
const KNOWN = new Set(['operation', 'amount', 'currency', 'receipt', 'extraTags', ...STRINGS, ...BOOLEANS, ...CALL_OPTIONS])

function currency(value) {
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 999) {
    return String(value).padStart(3, '0')
  }
  throw invalidType(`currency must be an ISO 4217 code such as 'EUR' or 978, got ${describe(value)}`)
}

function describe(value) {
  if (value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  return typeof value
}

function receipt(value, native) {
  if (value === undefined) return
  if (typeof value === 'string') {
    native.receipt = value
    return
  }
  if (value !== null && typeof value === 'object' && typeof value.copy === 'string') {
    native.receipt = value.copy
    if (value.format !== undefined) {
      if (typeof value.format !== 'string') throw invalidType('receipt.format must be a string')
      native.receiptFormat = value.format
    }
    return
  }
  throw invalidType(`receipt must be 'customer', 'merchant', 'both' or { copy, format }, got ${describe(value)}`)
}

function extraTags(value) {
  if (value === undefined) return undefined
  const pairs = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.entries(value) : null
  if (!pairs || !pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((s) => typeof s === 'string'))) {
    throw invalidType('extraTags must be [tag, value] string pairs or an object of tag → value')
  }
  return pairs.map(([t, v]) => [t, v])
}

/**
 * The native request for `operation` from the caller's `request` object
 * (optional for operations without an amount).
 */
function toNative(operation, request, required) {
  if (request === undefined && !required) request = {}
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw invalidType(`${operation} takes a request object such as { amount: 1250, currency: 'EUR' }, got ${describe(request)}`)
  }
  for (const key of Object.keys(request)) {
    if (!KNOWN.has(key)) throw invalidType(`unknown request field '${key}'`)
  }
  const native = { operation, ...splitAmount(request.amount) }
  const code = currency(request.currency)
  if (code !== undefined) native.currency = code
  for (const key of STRINGS) {
    const value = request[key]
    if (value === undefined) continue
    if (typeof value !== 'string') throw invalidType(`${key} must be a string, got ${describe(value)}`)
    native[key] = value
  }
  for (const key of BOOLEANS) {
    const value = request[key]
    if (value === undefined) continue
    if (typeof value !== 'boolean') throw invalidType(`${key} must be a boolean, got ${describe(value)}`)
    native[key] = value
  }
  receipt(request.receipt, native)
  const tags = extraTags(request.extraTags)
  if (tags !== undefined) native.extraTags = tags
  return native
}

/** The call's own options: `signal` and `onEvent`, checked. */
function callOptions(request) {
  const { signal, onEvent } = request || {}
  if (signal !== undefined && (signal === null || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function')) {
    throw invalidType('signal must be an AbortSignal')
  }
  if (onEvent !== undefined && typeof onEvent !== 'function') throw invalidType('onEvent must be a function')
  return { signal, onEvent }
}

module.exports = { toNative, callOptions, describe }
