'use strict'
// Without its platform package the module says which platform it is on and
// which package it needs, not napi's generic "Cannot find native binding".

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { platformKey } = require('../lib/platform')

const ROOT = path.join(__dirname, '..')
const pkg = require('../package.json')

test('platform keys are napi-rs names', () => {
  assert.equal(platformKey('win32', 'x64'), 'win32-x64-msvc')
  assert.equal(platformKey('darwin', 'arm64'), 'darwin-arm64')
  assert.match(platformKey('linux', 'x64'), /^linux-x64-(gnu|musl)$/)
  assert.match(platformKey('linux', 'arm'), /^linux-arm-(gnueabihf|musl)$/)
})

// The package as npm installs it (JS layer and loader, optional dependencies
// declared), with no addon beside it and no platform package installed.
function bareCopy(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concert-tpe-bare-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const copy = path.join(dir, 'node_modules', pkg.name)
  fs.mkdirSync(copy, { recursive: true })
  fs.cpSync(path.join(ROOT, 'lib'), path.join(copy, 'lib'), { recursive: true })
  fs.copyFileSync(path.join(ROOT, 'index.js'), path.join(copy, 'index.js'))
  const optionalDependencies = {}
  for (const key of ['linux-x64-gnu', 'win32-x64-msvc']) {
    optionalDependencies[`${pkg.name}-${key}`] = pkg.version
  }
  fs.writeFileSync(path.join(copy, 'package.json'), JSON.stringify({ ...pkg, optionalDependencies }))
  return dir
}

function run(dir, script) {
  try {
    execFileSync(process.execPath, ['-e', script], { cwd: dir, stdio: 'pipe', timeout: 20000 })
  } catch (e) {
    return JSON.parse(e.stderr.toString().trim().split('\n').pop())
  }
  assert.fail('the script did not throw')
}

const report = `
  try { SCRIPT } catch (e) {
    console.error(JSON.stringify({ code: e.code, platform: e.platform, package: e.package, message: e.message }))
    process.exit(1)
  }`

test('a missing platform package names the platform and the package', (t) => {
  const dir = bareCopy(t)
  const error = run(dir, report.replace('SCRIPT', `require('${pkg.name}')`))
  const key = platformKey()
  assert.equal(error.code, 'CONCERT_NATIVE_ADDON')
  assert.equal(error.platform, key)
  assert.equal(error.package, `${pkg.name}-${key}`)
  if (key === 'linux-x64-gnu' || key === 'win32-x64-msvc') {
    assert.match(error.message, new RegExp(`not installed.*${pkg.name}-${key}@${pkg.version}`, 's'))
  }
  assert.doesNotMatch(error.message, /Cannot find native binding/)
})

test('a platform without a prebuilt addon is told which ones exist', (t) => {
  const dir = bareCopy(t)
  const script = `
    const { missingAddon } = require('${pkg.name}/lib/platform')
    throw missingAddon(new Error('not found'), 'darwin-arm64')`
  const error = run(dir, report.replace('SCRIPT', script))
  assert.equal(error.platform, 'darwin-arm64')
  assert.match(error.message, /no prebuilt native addon for this platform \(darwin-arm64/)
  assert.match(error.message, /prebuilt for: linux-x64-gnu, win32-x64-msvc/)
})
