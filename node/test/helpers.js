'use strict'
// Shared by the tests: a simulator and a terminal on it, closed afterwards.

const { Simulator } = require('..')

/** Runs `fn(sim, terminal)` against a fresh simulator, then closes both. */
async function withSim(options, fn, terminalOptions) {
  const sim = Simulator.start(options)
  const terminal = sim.terminal(terminalOptions)
  try {
    return await fn(sim, terminal)
  } finally {
    await terminal.close()
    await sim.close()
  }
}

/** Resolves with the first `kind` event of `terminal`, or rejects after `ms`. */
function nextEvent(terminal, kind, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${kind} event within ${ms} ms`)), ms)
    const listener = (event) => {
      if (event.kind !== kind) return
      clearTimeout(timer)
      terminal.off('event', listener)
      resolve(event)
    }
    terminal.on('event', listener)
  })
}

// Pseudo-terminals are Unix-only: on Windows the pty simulators cannot run.
const NO_PTY = process.platform === 'win32' && 'no pseudo-terminals on Windows'

const SETUPS = [
  { name: 'V3 over TCP', sim: { protocol: 'v3', transport: 'tcp' } },
  { name: 'V3 over a pty', sim: { protocol: 'v3', transport: 'pty' } },
  { name: 'V2 over a pty', sim: { protocol: 'v2', transport: 'pty' } },
]

module.exports = { withSim, nextEvent, SETUPS, NO_PTY }
