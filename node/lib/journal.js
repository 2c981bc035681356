'use strict'
// Journal: the crash-safe transaction journal. Give it to a terminal
// (`Terminal.tcp(host, port, { journal })`) and every transaction is
// committed before its request leaves; after a restart, `listInDoubt()`
// first, then `resolve` (V3) or `resolveByHand` (V2).

const { NativeJournal, nativeParseDate } = require('./native')
const { ConcertError, invalidType, native } = require('./errors')
const { describe } = require('./request')

/** A Date, a date string ('2026-11-30', midnight UTC) or RFC 3339 time, or ms since the epoch. */
function millis(value, what) {
  if (value === undefined || value === null) return undefined
  if (value instanceof Date) {
    const ms = value.getTime()
    if (Number.isNaN(ms)) throw invalidType(`${what} is an invalid Date`)
    return ms
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw invalidType(`${what} must be whole milliseconds, got ${value}`)
    return value
  }
  if (typeof value === 'string') return native(() => nativeParseDate(value))
  throw invalidType(`${what} must be a Date, a date string or milliseconds, got ${describe(value)}`)
}

function entryId(id) {
  if (!Number.isSafeInteger(id) || id < 1) throw invalidType(`an entry id is a positive integer, got ${describe(id)}`)
  return id
}

class Journal {
  /** Use `Journal.open(path)`. */
  constructor(nativeJournal) {
    if (!(nativeJournal instanceof NativeJournal)) throw invalidType('use Journal.open(path)')
    this._native = nativeJournal
  }

  /**
   * Opens (or creates) the journal file. A file that is not a readable
   * journal throws CONCERT_JOURNAL_CORRUPT naming it (never recreated);
   * one that cannot be written CONCERT_JOURNAL_READ_ONLY / _DISK_FULL.
   */
  static open(path) {
    if (typeof path !== 'string') throw invalidType(`path must be a string, got ${describe(path)}`)
    return new Journal(native(() => NativeJournal.open(path)))
  }

  /** The file. */
  get path() {
    return native(() => this._native.path)
  }

  /** Closes it (terminals given it keep it open until they are closed). */
  close() {
    this._native.close()
  }

  /** Entries nobody knows the fate of, oldest first: what a till asks first after a restart. */
  listInDoubt() {
    return native(() => this._native.listInDoubt())
  }

  /** Every entry recorded since `since` (all when absent), oldest first. */
  list(options) {
    const since = millis(options && options.since, 'since')
    return native(() => this._native.list(since))
  }

  /** One entry with its history. */
  show(id) {
    return native(() => this._native.show(entryId(id)))
  }

  /**
   * Asks `terminal` (V3) for its last transaction and settles in-doubt entry
   * `id` when it is this one (reference, amount, currency, POS). Resolves to
   * the entry as it now is (`inDoubt` still true when the terminal's last
   * transaction is another). V2 rejects with CONCERT_JOURNAL_NEEDS_OPERATOR.
   */
  resolve(id, terminal) {
    return new Promise((resolve, reject) => {
      if (!terminal || !terminal._native) {
        throw invalidType(`resolve needs a Terminal, got ${describe(terminal)}`)
      }
      native(() =>
        this._native.resolve(entryId(id), terminal._native, (message) => {
          if (message.entry) resolve(message.entry)
          else reject(new ConcertError(message.code, message.message))
        }),
      )
    })
  }

  /** An operator's decision ('approved' | 'declined') with a note saying what was checked. */
  resolveByHand(id, decision, note) {
    if (typeof decision !== 'string') throw invalidType(`decision must be 'approved' or 'declined', got ${describe(decision)}`)
    if (typeof note !== 'string') throw invalidType(`note must be a string, got ${describe(note)}`)
    return native(() => this._native.resolveByHand(entryId(id), decision, note))
  }

  /** The entries since `since` (all when absent) as 'csv' (default) or 'json' text. */
  export(options) {
    const format = (options && options.format) || 'csv'
    if (typeof format !== 'string') throw invalidType(`format must be 'csv' or 'json', got ${describe(format)}`)
    const since = millis(options && options.since, 'since')
    return native(() => this._native.export(format, since))
  }

  /** Deletes settled entries recorded before `before`; entries in doubt are kept. Gives how many. */
  prune(before) {
    const ms = millis(before, 'before')
    if (ms === undefined) throw invalidType('prune needs a date')
    return native(() => this._native.prune(ms))
  }
}

module.exports = { Journal }
