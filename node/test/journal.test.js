'use strict'
// The transaction journal from Node: payments journaled with generated
// references, an in-doubt payment found again and resolved by the terminal
// (Promise) or by hand, export and prune, bad files and arguments refused.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Journal, Simulator, ConcertError } = require('..')
const { withSim, NO_PTY } = require('./helpers')

function scratch(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `concert-node-journal-${name}-`))
  return path.join(dir, 'journal.sqlite3')
}

test('a payment is journaled with a generated reference', async () => {
  const journal = Journal.open(scratch('pay'))
  await withSim({}, async (sim, terminal) => {
    const outcome = await terminal.pay({ amount: 1250, currency: 'EUR' })
    assert.equal(outcome.status, 'approved')
    assert.ok(Number.isInteger(outcome.journalEntry))
    const entry = journal.show(outcome.journalEntry)
    assert.equal(entry.state, 'outcome')
    assert.equal(entry.status, 'approved')
    assert.equal(entry.amount, 1250)
    assert.equal(entry.currency, 'EUR')
    assert.equal(entry.referenceGenerated, true)
    assert.equal(entry.reference.length, 10)
    assert.equal(outcome.privateData, entry.reference)
    assert.equal(entry.inDoubt, false)
    assert.equal(entry.partial, false)
    assert.equal(entry.authorizedAmount, 1250)
    assert.ok(entry.cardNumber.includes('#'))
    assert.deepEqual(journal.listInDoubt(), [])
  }, { journal })
  journal.close()
  assert.throws(() => journal.listInDoubt(), { code: 'CONCERT_CLOSED' })
})

test('a partial approval is journaled as partial', async () => {
  const journal = Journal.open(scratch('partial'))
  await withSim({ script: 'partial:1000' }, async (_sim, terminal) => {
    const outcome = await terminal.pay({ amount: 1250, currency: 'EUR' })
    assert.equal(outcome.partial, true)
    const entry = journal.show(outcome.journalEntry)
    assert.equal(entry.status, 'approved')
    assert.equal(entry.partial, true)
    assert.equal(entry.amount, 1250)
    assert.equal(entry.authorizedAmount, 1000)
  }, { journal })
  journal.close()
})

test('an in-doubt payment is listed and resolved by the terminal or by hand', async () => {
  const journal = Journal.open(scratch('doubt'))
  await withSim({ faults: { closeMidAnswer: true } }, async (sim, terminal) => {
    const outcome = await terminal.pay({ amount: 990, currency: 'EUR' })
    assert.equal(outcome.status, 'in_doubt')
    const [entry] = journal.listInDoubt()
    assert.equal(entry.id, outcome.journalEntry)
    assert.ok(entry.inDoubtCause)
    // The status answer is cut too: still in doubt, with the attempt kept.
    const after = await journal.resolve(entry.id, terminal)
    assert.equal(after.inDoubt, true)
    assert.equal(after.resolutions.at(-1).method, 'status_request')
    assert.equal(after.resolutions.at(-1).status, undefined)
  }, { journal })
  const [entry] = journal.listInDoubt()
  assert.throws(() => journal.resolveByHand(entry.id, 'approved', ' '), { code: 'CONCERT_INVALID_ARGUMENT' })
  assert.throws(() => journal.resolveByHand(entry.id, 'maybe', 'x'), { code: 'CONCERT_INVALID_ARGUMENT' })
  assert.throws(() => journal.resolveByHand(entry.id, 1, 'x'), TypeError)
  const settled = journal.resolveByHand(entry.id, 'declined', 'no receipt on the terminal')
  assert.equal(settled.state, 'resolved')
  assert.equal(settled.status, 'declined')
  assert.equal(settled.resolutions.at(-1).method, 'by_hand')
  assert.throws(() => journal.show(424242), (e) => e instanceof ConcertError && e.code === 'CONCERT_JOURNAL_NO_SUCH_ENTRY')
  const csv = journal.export({ since: '2000-01-01' })
  assert.ok(csv.startsWith('id,created,'))
  const data = JSON.parse(journal.export({ format: 'json', since: new Date(0) }))
  assert.equal(data[0].state, 'resolved')
  assert.equal(journal.list({ since: 0 }).length, 1)
  assert.equal(journal.prune('2999-01-01'), 1)
  assert.deepEqual(journal.list(), [])
  assert.throws(() => journal.export({ since: 'yesterday' }), { code: 'CONCERT_INVALID_ARGUMENT' })
  journal.close()
})

test('V2 entries need an operator; a corrupt file is refused by name', { skip: NO_PTY }, async () => {
  const journal = Journal.open(scratch('v2'))
  const sim = Simulator.start({ protocol: 'v2', transport: 'pty' })
  const terminal = sim.terminal({ journal })
  try {
    const outcome = await terminal.pay({ amount: 100, currency: 'EUR' })
    assert.equal(outcome.status, 'approved')
    await assert.rejects(journal.resolve(outcome.journalEntry, terminal), { code: 'CONCERT_JOURNAL_NOT_IN_DOUBT' })
  } finally {
    await terminal.close()
    await sim.close()
  }
  const corrupt = scratch('corrupt')
  fs.writeFileSync(corrupt, 'not a journal '.repeat(100))
  assert.throws(() => Journal.open(corrupt), (e) => e.code === 'CONCERT_JOURNAL_CORRUPT' && e.message.includes('journal.sqlite3'))
  assert.throws(() => Journal.open(42), TypeError)
  assert.throws(() => Simulator.start().terminal({ journal: 'x' }), TypeError)
})
