'use strict'
// Which native addon this machine needs, and the error that says so when it
// is missing. The addon ships in one npm package per platform
// (concert-tpe-linux-x64-gnu, …), installed as an optional dependency of
// concert-tpe.

const pkg = require('../package.json')

/** napi-rs's name for this platform: linux-x64-gnu, win32-x64-msvc, darwin-arm64 … */
function platformKey(platform = process.platform, arch = process.arch) {
  if (platform === 'linux') {
    const abi = arch === 'arm' ? 'gnueabihf' : 'gnu'
    return `linux-${arch}-${isMusl() ? 'musl' : abi}`
  }
  // Official Node builds for Windows are MSVC builds; napi's loader looks
  // for the -msvc package on them (ours is built with mingw-w64 and loads
  // there all the same).
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

function isMusl() {
  try {
    const report = process.report && process.report.getReport()
    return Boolean(report && report.header && !report.header.glibcVersionRuntime)
  } catch {
    return false
  }
}

function resolvable(name) {
  try {
    require.resolve(`${name}/package.json`)
    return true
  } catch {
    return false
  }
}

/** The error thrown when no addon loads, naming the platform and its package. */
function missingAddon(cause, key = platformKey()) {
  const name = `${pkg.name}-${key}`
  const where = `${key}, Node ${process.versions.node}`
  const prebuilt = Object.keys(pkg.optionalDependencies || {})
    .filter((dep) => dep.startsWith(`${pkg.name}-`))
    .map((dep) => dep.slice(pkg.name.length + 1))
  let message
  if (resolvable(name)) {
    message =
      `${pkg.name}: the native addon in ${name} failed to load (${where}): ` +
      `${cause && cause.message ? firstLoadError(cause) : 'unknown reason'}. ` +
      `Reinstall it on this machine (npm install ${name}@${pkg.version}).`
  } else if (prebuilt.length > 0 && !prebuilt.includes(key)) {
    message =
      `${pkg.name}: no prebuilt native addon for this platform (${where}); ` +
      `prebuilt for: ${prebuilt.join(', ')}. ` +
      'Build it from source with a Rust toolchain (see "Building from source" in the README).'
  } else {
    message =
      `${pkg.name}: the native addon for this platform (${where}) is not installed. ` +
      `It comes in the package ${name}, which npm installs with ${pkg.name} as an ` +
      `optional dependency: install it (npm install ${name}@${pkg.version}), and check ` +
      'that optional dependencies are not omitted (--omit=optional, --no-optional) ' +
      'and that node_modules was installed on this platform, not copied from another.'
  }
  const error = new Error(message)
  error.code = 'CONCERT_NATIVE_ADDON'
  error.platform = key
  error.package = name
  error.cause = cause
  return error
}

// The loader's own error chains the attempts in `cause`: the first one that
// is not "module not found" is the reason the addon did not load.
function firstLoadError(error) {
  for (let e = error; e; e = e.cause) {
    if (e.code !== 'MODULE_NOT_FOUND' && e !== error) return e.message
  }
  return error.message
}

module.exports = { platformKey, missingAddon }
