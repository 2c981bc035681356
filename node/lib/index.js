'use strict'
// concert-tpe: the Concert protocol (V2/V3) for French card payment
// terminals. The engine is Rust (../index.js loads it); this layer gives it
// JavaScript's shape.

const { AbortError, ConcertError } = require('./errors')
const { Terminal } = require('./terminal')
const { Simulator } = require('./simulator')
const { Journal } = require('./journal')
const { decode, ports } = require('./decode')
const { setLogger } = require('./logging')

module.exports = { Terminal, Simulator, Journal, ConcertError, AbortError, decode, ports, setLogger }
