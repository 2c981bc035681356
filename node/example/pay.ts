// A till's payment flow, type-checked by `tsc --noEmit -p example`.
import { ConcertError, Outcome, Simulator, Status, Terminal, TerminalEvent, decode } from 'concert-tpe'
// The generated declarations of the native layer are checked too: the
// package's Outcome must stay a narrowing of what the addon returns.
import type { NativeOutcome } from '../index'

const fromNative = (outcome: Outcome): Omit<NativeOutcome, 'records'> => outcome

function describe(outcome: Outcome): string {
  const status: Status = outcome.status
  switch (status) {
    case 'approved':
      // A V3 terminal may approve less than asked: only `amount` was paid.
      if (outcome.partial) return `paid only ${outcome.amount} of ${outcome.requestedAmount}: collect the rest`
      return `paid ${outcome.amount} ${outcome.currency}, card ${outcome.cardNumber ?? '?'}`
    case 'in_doubt':
      return `unknown (${outcome.inDoubtCause}): ask the terminal with status() before retrying`
    default:
      return `not paid: ${status} (${outcome.reason})`
  }
}

async function main(): Promise<void> {
  const sim = Simulator.start({ protocol: 'v3', scripts: ['approve', 'decline:05'], answerDelayMs: 50 })
  const terminal: Terminal = Terminal.tcp(sim.host ?? '127.0.0.1', sim.port ?? 8888, {
    answerTimeoutMs: 120_000,
  })
  terminal.on('event', (event: TerminalEvent) => console.log('progress:', event.kind))

  const controller = new AbortController()
  try {
    const first = await terminal.pay({ amount: 1250, currency: 'EUR', signal: controller.signal })
    console.log(describe(first), fromNative(first).status)
    const second = await terminal.pay({ amount: '9.90', currency: 978, receipt: { copy: 'customer' } })
    console.log(describe(second), second.records.map(([tag, value]) => `${tag}=${value}`).join(' '))
    const refund = await terminal.refund({ amount: 300n, currency: 'EUR' })
    console.log(describe(refund))
  } catch (error) {
    if (error instanceof ConcertError && error.safeToRetry) {
      console.log(`nothing reached the terminal (${error.code}): safe to retry`)
    } else {
      throw error
    }
  } finally {
    await terminal.close()
    await sim.close()
  }
  const decoded = decode('CZ0040300CJ012247300123456CA00201CB00512345CD0010CE003978')
  console.log(decoded.kind, decoded.fields.map((f) => `${f.name}: ${f.meaning ?? f.value}`))
}

main()
