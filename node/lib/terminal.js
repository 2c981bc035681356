'use strict'
// Terminal: configure once, then `await terminal.pay({ amount, currency })`.
// The wait runs on the engine's own thread; the event loop stays free.

const { EventEmitter } = require('node:events')
const { NativeTerminal } = require('./native')
const { AbortError, CANCELLED, ConcertError, invalidType, native } = require('./errors')
const { toNative, callOptions, describe } = require('./request')

const OPTION_KEYS = new Set([
  'protocol',
  'posNumber',
  'cashRegisterId',
  'connectTimeoutMs',
  'answerTimeoutMs',
  'queryTimeoutMs',
  'line',
  'baud',
  'dataBits',
  'parity',
  'stopBits',
  'keepRawCardData',
  'onEvent',
  'journal',
])

/** Time limits cross to the engine as a u32 of milliseconds; the engine refuses more than a day. */
const TIMEOUT_KEYS = ['connectTimeoutMs', 'answerTimeoutMs', 'queryTimeoutMs']

function splitOptions(options) {
  if (options === undefined) return { nativeOptions: undefined, onEvent: undefined, journal: undefined }
  if (options === null || typeof options !== 'object') {
    throw invalidType(`terminal options must be an object, got ${describe(options)}`)
  }
  const nativeOptions = {}
  for (const [key, value] of Object.entries(options)) {
    if (!OPTION_KEYS.has(key)) throw invalidType(`unknown terminal option '${key}'`)
    if (key !== 'onEvent' && key !== 'journal' && value !== undefined) nativeOptions[key] = value
  }
  let journal
  if (options.journal !== undefined) {
    const { Journal } = require('./journal')
    if (!(options.journal instanceof Journal)) {
      throw invalidType(`journal must be a Journal (Journal.open(path)), got ${describe(options.journal)}`)
    }
    journal = options.journal._native
  }
  for (const key of TIMEOUT_KEYS) {
    const value = options[key]
    // A number past 2^32 would wrap to a short time on its way to the
    // engine: refused here; the engine then refuses anything over a day.
    if (value !== undefined && !(Number.isInteger(value) && value > 0 && value <= 0xffff_ffff)) {
      throw new ConcertError(
        'CONCERT_CONFIG',
        `${key} must be a whole number of milliseconds, at most a day, got ${describe(value)}`,
      )
    }
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw invalidType('onEvent must be a function')
  }
  return { nativeOptions, onEvent: options.onEvent, journal }
}

function eventOf(message, operation) {
  const event = { kind: message.event, operation }
  if (message.status !== undefined) event.status = message.status
  return event
}

class Terminal extends EventEmitter {
  /** Use `Terminal.tcp` or `Terminal.serial`. */
  constructor(nativeTerminal, onEvent) {
    super()
    if (!(nativeTerminal instanceof NativeTerminal)) {
      throw invalidType('use Terminal.tcp(host, port, options) or Terminal.serial(path, options)')
    }
    this._native = nativeTerminal
    this._running = new Set()
    if (onEvent) this.on('event', onEvent)
  }

  /** A V3 terminal over TCP/IP (port 8888 on most terminals). */
  static tcp(host, port, options) {
    if (typeof host !== 'string') throw invalidType(`host must be a string, got ${describe(host)}`)
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw invalidType(`port must be an integer from 1 to 65535, got ${describe(port)}`)
    }
    const { nativeOptions, onEvent, journal } = splitOptions(options)
    const make = journal
      ? () => NativeTerminal.tcpJournaled(host, port, nativeOptions, journal)
      : () => NativeTerminal.tcp(host, port, nativeOptions)
    return new Terminal(native(make), onEvent)
  }

  /** A terminal on a serial line: RS232, USB (CDC-ACM) or Bluetooth SPP. */
  static serial(path, options) {
    if (typeof path !== 'string') throw invalidType(`path must be a string, got ${describe(path)}`)
    const { nativeOptions, onEvent, journal } = splitOptions(options)
    const make = journal
      ? () => NativeTerminal.serialJournaled(path, nativeOptions, journal)
      : () => NativeTerminal.serial(path, nativeOptions)
    return new Terminal(native(make), onEvent)
  }

  /** Whether a transaction is running. */
  get busy() {
    return this._native.busy
  }

  /**
   * Late answers not yet handed over, oldest first: answers to earlier
   * requests that came after their outcome (serial). Each is handed over
   * once: here, or on the next outcome's `lateAnswers`.
   */
  takeLateAnswers() {
    return this._native.takeLateAnswers()
  }

  /** Whether `close` was called. */
  get closed() {
    return this._native.closed
  }

  /** A payment: `{ amount, currency, … }`. */
  pay(request) {
    return this._run('pay', request, true)
  }

  /** A refund. */
  refund(request) {
    return this._run('refund', request, true)
  }

  /** Cancels an earlier payment of `amount`. */
  cancel(request) {
    return this._run('cancel', request, true)
  }

  /** A pre-authorisation. */
  preauthorize(request) {
    return this._run('preauthorize', request, true)
  }

  /** Checks the terminal is there, without a transaction. */
  identify(request) {
    return this._run('identify', request, false)
  }

  /** The result of the last transaction (V3). */
  status(request) {
    return this._run('status', request, false)
  }

  /** Télécollecte: remote batch settlement (V3). */
  settle(request) {
    return this._run('settle', request, false)
  }

  /**
   * The payload this terminal would send for `{ operation, amount, … }` (a
   * V2 message or V3 records, without serial framing), checked as a
   * transaction checks it. Nothing is opened.
   */
  encode(request) {
    if (request === null || typeof request !== 'object' || typeof request.operation !== 'string') {
      throw invalidType(`encode takes { operation: 'pay' | 'refund' | …, … }, got ${describe(request)}`)
    }
    const { operation, ...rest } = request
    const nativeRequest = toNative(operation, rest, false)
    return native(() => this._native.encode(nativeRequest))
  }

  /** Any operation: `{ operation: 'pay', amount, currency, … }`. */
  transact(request) {
    if (request === null || typeof request !== 'object' || typeof request.operation !== 'string') {
      return Promise.reject(invalidType(`transact takes { operation: 'pay' | 'refund' | …, … }, got ${describe(request)}`))
    }
    const { operation, ...rest } = request
    return this._run(operation, rest, false)
  }

  async _run(operation, request, required) {
    const nativeRequest = toNative(operation, request, required)
    const { signal, onEvent } = callOptions(request)
    if (signal && signal.aborted) {
      throw new AbortError('aborted before the request was sent', signal)
    }
    let settle
    const done = new Promise((resolve, reject) => {
      settle = { resolve, reject }
    })
    const onMessage = (message) => {
      if (message.event !== undefined) {
        const event = eventOf(message, operation)
        if (onEvent) onEvent(event)
        this.emit('event', event)
      } else if (message.failure) {
        const { code, message: text } = message.failure
        settle.reject(code === CANCELLED && signal && signal.aborted ? new AbortError(text, signal) : new ConcertError(code, text))
      } else {
        settle.resolve(message.outcome)
      }
    }
    const transaction = native(() => this._native.transact(nativeRequest, onMessage))
    const abort = () => transaction.cancel()
    if (signal) signal.addEventListener('abort', abort, { once: true })
    this._running.add(done)
    try {
      return await done
    } finally {
      this._running.delete(done)
      if (signal) signal.removeEventListener('abort', abort)
    }
  }

  /**
   * Stops whatever runs on this terminal now, from anywhere: a call whose
   * request had not left rejects with CONCERT_CANCELLED (safe to retry);
   * one whose request had left resolves with an outcome 'in_doubt' (ask
   * with `status()`). Returns at once; nothing running: does nothing.
   */
  abort() {
    this._native.abort()
  }

  /**
   * Stops a running transaction (in doubt if its request had reached the
   * terminal), waits for it to settle, releases the serial port and the
   * listeners. Later calls reject with CONCERT_CLOSED.
   */
  async close() {
    this._native.close()
    await Promise.allSettled([...this._running])
    this.removeAllListeners()
  }
}

module.exports = { Terminal }
