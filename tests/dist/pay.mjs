// The same package from an ES module: named imports, a payment, a natural exit.
import assert from 'node:assert/strict'
import { Terminal, Simulator, decode } from 'concert-tpe'

const sim = Simulator.start()
const terminal = Terminal.tcp(sim.host, sim.port)
const outcome = await terminal.pay({ amount: '12.50', currency: 'EUR' })
assert.equal(outcome.status, 'approved')
assert.equal(typeof decode, 'function')
await terminal.close()
await sim.close()
console.log('esm: paid 12.50 EUR,', outcome.status)
