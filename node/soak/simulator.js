'use strict'
// The soak's terminal, in a process of its own: prints its port, runs until
// its parent closes stdin.

const { Simulator } = require('..')

const sim = Simulator.start({ protocol: 'v3' })
process.stdout.write(`${sim.port}\n`)
process.stdin.resume()
process.stdin.on('end', () => sim.close().then(() => process.exit(0)))
