'use strict'
// Prints the package.json that concert-tpe is published with: node/package.json
// with every platform package of node/npm/ as an optional dependency (npm
// installs the one matching the machine), without what only building from
// source needs (scripts, devDependencies). Used by `make dist`.

const fs = require('node:fs')
const path = require('node:path')

const node = path.join(__dirname, '..')
const pkg = JSON.parse(fs.readFileSync(path.join(node, 'package.json'), 'utf8'))
const optionalDependencies = {}
for (const dir of fs.readdirSync(path.join(node, 'npm')).sort()) {
  const file = path.join(node, 'npm', dir, 'package.json')
  if (!fs.existsSync(file)) continue
  const platform = JSON.parse(fs.readFileSync(file, 'utf8'))
  if (platform.version !== pkg.version) {
    throw new Error(`${file}: version ${platform.version}, package.json says ${pkg.version}`)
  }
  optionalDependencies[platform.name] = platform.version
}
const { scripts, devDependencies, ...published } = pkg
published.files = [...pkg.files, 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE']
published.optionalDependencies = optionalDependencies
process.stdout.write(JSON.stringify(published, null, 2) + '\n')
