'use strict'
// concert-tpe installed without its platform package (as with
// --omit=optional): the error names the platform and the package to install.

const assert = require('node:assert/strict')

try {
  require('concert-tpe')
} catch (e) {
  console.log(e.message)
  assert.equal(e.code, 'CONCERT_NATIVE_ADDON')
  assert.equal(e.platform, 'linux-x64-gnu')
  assert.equal(e.package, 'concert-tpe-linux-x64-gnu')
  const { version } = require('concert-tpe/package.json')
  assert.ok(e.message.includes(`npm install concert-tpe-linux-x64-gnu@${version}`), e.message)
  process.exit(0)
}
console.error('concert-tpe loaded without its platform package')
process.exit(1)
