'use strict'
// The native addon, through napi's generated loader (../index.js). When the
// platform package it comes in is missing or cannot load, the error names
// the platform and the package, instead of the loader's generic message.

const { missingAddon } = require('./platform')

function load() {
  try {
    return require('../index.js')
  } catch (cause) {
    throw missingAddon(cause)
  }
}

module.exports = load()
