'use strict'
// Simulator: a scripted Concert terminal for the till's own tests, over
// TCP or a pseudo-terminal pair. `await sim.close()` when done.

const { NativeSimulator } = require('./native')
const { invalidType, native, fromNative } = require('./errors')
const { describe } = require('./request')
const { Terminal } = require('./terminal')

class Simulator {
  /** Use `Simulator.start(options)`. */
  constructor(nativeSimulator, protocol) {
    if (!(nativeSimulator instanceof NativeSimulator)) throw invalidType('use Simulator.start(options)')
    this._native = nativeSimulator
    this.protocol = protocol
  }

  /** Starts a simulator; it serves once this returns. */
  static start(options) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw invalidType(`simulator options must be an object, got ${describe(options)}`)
    }
    const protocol = (options && options.protocol) || 'v3'
    return new Simulator(native(() => NativeSimulator.start(options)), protocol)
  }

  /** `tcp` or `pty`. */
  get transport() {
    return this._native.path == null ? 'tcp' : 'pty'
  }

  /** TCP host; null on a pty. */
  get host() {
    return this._native.host
  }

  /** TCP port; null on a pty. */
  get port() {
    return this._native.port
  }

  /** The pty path a serial client opens; null over TCP. */
  get path() {
    return this._native.path
  }

  /** A `Terminal` that talks to this simulator (same protocol). */
  terminal(options = {}) {
    if (this.transport === 'tcp') return Terminal.tcp(this.host, this.port, options)
    return Terminal.serial(this.path, { protocol: this.protocol === 'v2' ? 'v2' : 'v3', ...options })
  }

  /** Queues a script for the next transaction: `approve`, `decline`,
   * `decline:05`, `abandon`, `partial:500`, `timeout`, `busy`, `v2status:C`. */
  pushScript(script) {
    native(() => this._native.pushScript(script))
  }

  /** The script used when none is queued. */
  setDefaultScript(script) {
    native(() => this._native.setDefaultScript(script))
  }

  /** Every request that reached the simulator, in order. */
  journal() {
    return native(() => this._native.journal())
  }

  /** Resolves true once `count` requests arrived, false after `timeoutMs`. */
  async waitForRequests(count, timeoutMs = 5000) {
    if (!Number.isInteger(count) || count < 0) throw invalidType('count must be a non-negative integer')
    if (!Number.isInteger(timeoutMs) || timeoutMs < 0) throw invalidType('timeoutMs must be a non-negative integer')
    try {
      return await native(() => this._native.waitForRequests(count, timeoutMs))
    } catch (error) {
      throw fromNative(error)
    }
  }

  /** Stops the simulator: threads end, the socket or pty closes. */
  async close() {
    await this._native.close()
  }
}

module.exports = { Simulator }
