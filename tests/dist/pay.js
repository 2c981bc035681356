'use strict'
// A till vendor's first script with the installed package (CommonJS): a
// payment against the simulator; the process must then exit by itself.

const assert = require('node:assert/strict')
const { Terminal, Simulator } = require('concert-tpe')

assert.equal(require('concert-tpe/package.json').version, process.argv[2])

async function main() {
  const sim = Simulator.start()
  const terminal = Terminal.tcp(sim.host, sim.port)
  const events = []
  terminal.on('event', (e) => events.push(e.kind))
  const outcome = await terminal.pay({ amount: 1250, currency: 'EUR' })
  assert.equal(outcome.status, 'approved')
  assert.equal(outcome.amount, 1250)
  assert.match(outcome.cardNumber, /######/)
  assert.ok(events.includes('done'), events.join(','))
  await terminal.close()
  await sim.close()
  console.log(`node ${process.version} ${process.platform}-${process.arch}: paid 12.50 EUR,`,
    outcome.status, outcome.cardNumber, outcome.authorizationNumber)
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
