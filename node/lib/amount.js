'use strict'
// Amounts cross into the engine as a bigint of minor units or a decimal
// string, never as a float: 12.5 is refused, 1250 and '12.50' are the same
// payment in EUR.

const { invalidType, outOfRange } = require('./errors')

const U64_MAX = (1n << 64n) - 1n

/**
 * `{ amountMinor }` or `{ amountDecimal }` for the native request, or
 * nothing when `amount` is undefined (the engine then says whether the
 * operation needs one).
 */
function splitAmount(amount) {
  switch (typeof amount) {
    case 'undefined':
      return {}
    case 'number':
      if (Number.isNaN(amount) || !Number.isFinite(amount)) {
        throw invalidType(`amount must be an integer number of minor units, got ${amount}`)
      }
      if (!Number.isInteger(amount)) {
        throw invalidType(
          `amount ${amount} is not an integer: give minor units (1250 for 12.50 EUR) or a decimal string ('12.50')`,
        )
      }
      if (amount < 0) throw outOfRange(`amount ${amount} is negative`)
      if (!Number.isSafeInteger(amount)) {
        throw outOfRange(`amount ${amount} is too large to be exact as a number: give a bigint or a decimal string`)
      }
      return { amountMinor: BigInt(amount) }
    case 'bigint':
      if (amount < 0n) throw outOfRange(`amount ${amount} is negative`)
      if (amount > U64_MAX) throw outOfRange(`amount ${amount} is larger than 2^64-1`)
      return { amountMinor: amount }
    case 'string':
      return { amountDecimal: amount }
    default:
      throw invalidType(
        `amount must be an integer number, a bigint or a decimal string, got ${amount === null ? 'null' : typeof amount}`,
      )
  }
}

module.exports = { splitAmount }
