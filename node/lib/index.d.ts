// Types of the concert-tpe package (hand-written over the generated
// ../index.d.ts, which describes the native layer).

import { EventEmitter } from 'node:events'

/** Whether the thing happened. `in_doubt`: the request reached the
 * terminal but no valid answer came back; ask with `status()` before
 * retrying, never treat it as declined. */
export type Status = 'approved' | 'declined' | 'aborted' | 'not_performed' | 'pending' | 'in_doubt'

/** What a request does. */
export type Operation = 'pay' | 'refund' | 'cancel' | 'preauthorize' | 'identify' | 'status' | 'settle'

/** Stable codes of `ConcertError` (and of TypeError/RangeError for bad
 * input), from the engine's one table: the same strings in C, Python and
 * the command line's JSON. */
export type ErrorCode =
  | 'CONCERT_INVALID_REQUEST'
  | 'CONCERT_CONFIG'
  | 'CONCERT_BUSY'
  | 'CONCERT_CONNECT'
  | 'CONCERT_PORT'
  | 'CONCERT_NOT_DELIVERED'
  | 'CONCERT_CANCELLED'
  | 'CONCERT_CLOSED'
  | 'CONCERT_SIMULATOR'
  | 'CONCERT_DECODE'
  | 'CONCERT_PORTS'
  | 'CONCERT_USAGE'
  | 'CONCERT_RUNTIME'
  | 'CONCERT_JOURNAL'
  | 'CONCERT_JOURNAL_CORRUPT'
  | 'CONCERT_JOURNAL_READ_ONLY'
  | 'CONCERT_JOURNAL_DISK_FULL'
  | 'CONCERT_JOURNAL_NO_SUCH_ENTRY'
  | 'CONCERT_JOURNAL_NOT_IN_DOUBT'
  | 'CONCERT_JOURNAL_NEEDS_OPERATOR'
  | 'CONCERT_INVALID_ARGUMENT'

/** An error: nothing reached the terminal, so it is safe to retry. */
export declare class ConcertError extends Error {
  readonly name: 'ConcertError' | 'AbortError'
  readonly code: ErrorCode
  /** From the engine's table of error codes. */
  readonly safeToRetry: boolean
  /** With CONCERT_DECODE: the byte where reading stopped. */
  readonly offset?: number
}

/** What a call aborted through its `signal` rejects with (as Node's own
 * APIs do): `name` 'AbortError', `code` CONCERT_CANCELLED, `cause` the
 * signal's reason. Nothing reached the terminal. */
export declare class AbortError extends ConcertError {
  readonly name: 'AbortError'
  readonly code: 'CONCERT_CANCELLED'
}

/** Amount in integer minor units (1250 = 12.50 EUR) or a decimal string ('12.50'). */
export type Amount = number | bigint | string

/** A ticket copy. */
export type ReceiptCopy = 'customer' | 'merchant' | 'both'

/** Progress of a running request, in order. */
export interface TerminalEvent {
  kind: 'connecting' | 'sent' | 'acknowledged' | 'waiting_for_answer' | 'answer_received' | 'late_answer' | 'done'
  operation: Operation
  /** With `done`: the outcome's status. */
  status?: Status
}

/** Options of one call. */
export interface CallOptions {
  /** Cancels the request: before it left (or when already aborted), the
   * call rejects with an `AbortError` (code CONCERT_CANCELLED); after, the
   * outcome is `in_doubt`. */
  signal?: AbortSignal
  /** Progress of this request. */
  onEvent?: (event: TerminalEvent) => void
}

/** What to ask the terminal. */
export interface Request extends CallOptions {
  amount?: Amount
  /** ISO 4217 code: 'EUR' or 978. */
  currency?: string | number
  /** Merchant reference echoed by the terminal (V2: 10 characters, V3: 99). */
  privateData?: string
  /** 'any', 'card', 'cheque', 'amex', 'cetelem', 'cofinoga', 'diners',
   * 'franfinance', 'jcb', 'accord_finance', 'unionpay', 'moneo', 'fintrax',
   * 'v3:CODE' or 'v2:C'. */
  application?: string
  /** Answer at once (outcome `pending`); fetch the result with `status()`. */
  immediateAnswer?: boolean
  forceAuthorization?: boolean
  /** Ticket wanted (V3). */
  receipt?: ReceiptCopy | { copy: ReceiptCopy; format?: 'text' | 'html' }
  /** Original transaction reference for a cancellation (V3 CH). */
  originalReference?: string
  /** Partial payment allowed (V3 BF). */
  partialAllowed?: boolean
  customerPhone?: string
  customerEmail?: string
  /** Extra V3 records sent as given. */
  extraTags?: Array<[string, string]> | Record<string, string>
  /** V2: ask for the 80-character answer with card data (default true). */
  fullAnswer?: boolean
}

/** A request that moves money. */
export interface MoneyRequest extends Request {
  amount: Amount
  currency: string | number
}

/** `code` with its meaning when known. */
export interface CodeLabel {
  code: string
  label?: string
}

/** A ticket sent back by the terminal. */
export interface Receipt {
  copy?: ReceiptCopy
  format: 'text' | 'html'
  text: string
}

/** Bytes as they crossed the wire, card numbers masked. */
export interface WireFrame {
  direction: 'sent' | 'received'
  bytes: Buffer
}

/** What came of a request (an error is thrown only when nothing reached the terminal). */
export interface Outcome {
  status: Status
  operation: Operation
  protocolVersion?: string
  /** V3 AF code or the V2 status character. */
  reasonCode?: string
  reason: string
  reasonDetail?: string
  /** Amount the terminal reports, in minor units. */
  amount?: number
  /** Amount asked for, in minor units. */
  requestedAmount?: number
  /** Approved for less than asked (V3 partial payment): `amount` is what was paid. Check it on every approval. */
  partial: boolean
  /** ISO 4217 alphabetic code. */
  currency?: string
  /** Always masked. */
  cardNumber?: string
  /** YYMM. */
  expiry?: string
  aid?: string
  application?: CodeLabel
  readMode?: CodeLabel
  authorizationNumber?: string
  contract?: string
  privateData?: string
  receipt?: Receipt
  /** Same as `receipt.text`. */
  receiptText?: string
  /** Every ticket, in order (one per copy when sent apart). */
  receipts: Receipt[]
  echoMismatches: Array<{ field: string; sent: string; received: string }>
  /** Every record received, in order, card numbers masked. */
  records: Array<[string, string]>
  /** The answer as received, card numbers masked. */
  rawAnswer?: Buffer
  /** V2 REP unmasked, only with `keepRawCardData`. */
  rawCardData?: string
  /** Why the outcome is in doubt. */
  inDoubtCause?: string
  frames: WireFrame[]
  /** Answers to earlier requests that came late, handed over with this outcome. */
  lateAnswers: LateAnswer[]
  /** The journal entry recording this transaction, when the terminal has a journal. */
  journalEntry?: number
}

/** An answer that came after its transaction's outcome (serial). */
export interface LateAnswer {
  /** The answer read as the answer to the request below (its echoes say whether it is). */
  outcome: Outcome
  /** The operation of the request it was read against; absent if nothing had been sent. */
  operation?: Operation
  /** The amount that request asked, in minor units. */
  requestedAmount?: number
  /** The private data that request carried. */
  privateData?: string
  /** The payload as received, card number masked. */
  raw: Buffer
  /** When it came, in milliseconds since the Unix epoch. */
  receivedAtMs: number
}

/** How to speak to the terminal. */
export interface TerminalOptions {
  /** 'v2' (E+), 'v2e+', 'v2e', 'v3' or 'v3:0320'. Default: 'v3' over TCP, 'v2e+' over serial. */
  protocol?: string
  /** 1–99, default 1. */
  posNumber?: number
  /** V3 CJ, 12 characters. */
  cashRegisterId?: string
  connectTimeoutMs?: number
  /** Default 180 000, at least 60 000: a person is paying. */
  answerTimeoutMs?: number
  queryTimeoutMs?: number
  /** Serial preset: 'usb' (9600 8N1, default) or 'rs232' (9600 7E1). */
  line?: 'usb' | 'rs232'
  baud?: number
  dataBits?: 7 | 8
  parity?: 'N' | 'E' | 'O' | 'none' | 'even' | 'odd'
  stopBits?: 1 | 2
  keepRawCardData?: boolean
  /** Journal every transaction (committed before the request leaves). */
  journal?: Journal
  /** Listener for every request's progress (same as `terminal.on('event', …)`). */
  onEvent?: (event: TerminalEvent) => void
}

/** A payment terminal. One transaction at a time (CONCERT_BUSY otherwise). */
export declare class Terminal extends EventEmitter {
  private constructor()
  static tcp(host: string, port: number, options?: TerminalOptions): Terminal
  static serial(path: string, options?: TerminalOptions): Terminal
  readonly busy: boolean
  readonly closed: boolean
  /** Late answers not yet handed over (each handed over once: here or on the next outcome). */
  takeLateAnswers(): LateAnswer[]
  pay(request: MoneyRequest): Promise<Outcome>
  refund(request: MoneyRequest): Promise<Outcome>
  cancel(request: MoneyRequest): Promise<Outcome>
  preauthorize(request: MoneyRequest): Promise<Outcome>
  identify(options?: CallOptions): Promise<Outcome>
  status(options?: CallOptions): Promise<Outcome>
  settle(options?: CallOptions): Promise<Outcome>
  transact(request: Request & { operation: Operation }): Promise<Outcome>
  /** The payload this terminal would send (V2 message or V3 records, no
   * serial framing), checked as a transaction checks it; nothing is opened. */
  encode(request: Request & { operation: Operation }): Buffer
  /** Stops whatever runs on this terminal: not sent yet, the call rejects
   * with CONCERT_CANCELLED; sent, its outcome is `in_doubt`. Returns at once. */
  abort(): void
  /** Stops a running transaction, waits for it, releases the port and listeners. */
  close(): Promise<void>
  on(event: 'event', listener: (event: TerminalEvent) => void): this
  once(event: 'event', listener: (event: TerminalEvent) => void): this
  off(event: 'event', listener: (event: TerminalEvent) => void): this
}

/** A script for the simulated card holder and bank. */
export type Script =
  | 'approve'
  | 'decline'
  | 'abandon'
  | 'timeout'
  | 'busy'
  | `decline:${string}`
  | `partial:${number}`
  | `v2status:${string}`

/** Faults to inject in the simulator. */
export interface SimulatorFaults {
  nakFirstFrames?: number
  corruptLrcFirst?: number
  strayBytes?: Buffer
  splitWrites?: boolean
  skipFinalEot?: boolean
  closeMidAnswer?: boolean
  neverAnswer?: boolean
}

/** How to start a simulator. */
export interface SimulatorOptions {
  /** Default 'tcp' for V3, 'pty' for V2. */
  transport?: 'tcp' | 'pty'
  protocol?: 'v2' | 'v3'
  host?: string
  /** 0 (default): a free port. */
  port?: number
  /** TCP client whitelist. */
  allow?: string[]
  /** Default script (default 'approve'). */
  script?: Script
  /** Scripts for the next transactions, in order. */
  scripts?: Script[]
  answerDelayMs?: number
  cardNumber?: string
  receiptText?: string
  /** The card presented: sets CC and CI. */
  paymentType?: 'cb-contact' | 'cb-contactless' | 'amex-contact' | 'amex-contactless'
  /** Merchant contract number (CG), 1 to 10 characters. */
  contract?: string
  /** Accepted currencies, default ['EUR']. */
  currencies?: string[]
  answerVersion?: string
  faults?: SimulatorFaults
}

/** One request that reached the simulator. */
export interface SimulatorJournalEntry {
  peer: string
  request: Buffer
  answer?: Buffer
  note: string
}

/** A scripted terminal for tests. */
export declare class Simulator {
  private constructor()
  static start(options?: SimulatorOptions): Simulator
  readonly protocol: 'v2' | 'v3'
  readonly transport: 'tcp' | 'pty'
  readonly host: string | null
  readonly port: number | null
  readonly path: string | null
  /** A Terminal connected to this simulator. */
  terminal(options?: TerminalOptions): Terminal
  pushScript(script: Script): void
  setDefaultScript(script: Script): void
  journal(): SimulatorJournalEntry[]
  waitForRequests(count: number, timeoutMs?: number): Promise<boolean>
  close(): Promise<void>
}

/** One field or record of a decoded frame. */
export interface DecodedField {
  name: string
  value: string
  meaning?: string
  children: DecodedField[]
}

/** A frame read field by field. */
export interface Decoded {
  protocol: 'v2' | 'v3'
  kind: 'v3' | 'v2-request-e' | 'v2-request-e+' | 'v2-answer-25' | 'v2-answer-80'
  serialFrame: boolean
  fields: DecodedField[]
  /** Every record (V3 tag) or field (V2 name) with its value, in wire
   * order, card numbers masked. */
  records: Array<[string, string]>
  /** What a terminal's answer means, as a transaction's outcome says it (absent for a request). */
  outcome?: Outcome
}

/** Reads a V2 payload, V3 message or serial frame (bytes, text or hex). */
export declare function decode(frame: string | Uint8Array, options?: { hint?: 'auto' | 'v2' | 'v3' }): Decoded

/** A serial port of this machine. */
export interface PortInfo {
  path: string
  kind: string
  vid?: number
  pid?: number
  manufacturer?: string
  product?: string
  serialNumber?: string
  knownTerminal?: string
}

/** The serial ports of this machine (pseudo-terminals are not listed). */
export declare function ports(): PortInfo[]

/** One log record of the engine. */
export interface LogRecord {
  level: 'error' | 'warn' | 'info' | 'debug' | 'trace'
  /** `concert_core::terminal::client`, `concert::wire` (the wire trace) … */
  target: string
  /** Card numbers masked. */
  message: string
}

/** Sends the engine's log records (process-wide) to `logger`; `null`
 * stops them. `level` (default 'info') is the most detailed level wanted;
 * 'trace' adds the wire trace. The logger never keeps the process alive. */
export declare function setLogger(
  logger: ((record: LogRecord) => void) | null,
  options?: { level?: 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace' },
): void
/** Where a journal entry stands. */
export type JournalState = 'sending' | 'sent' | 'outcome' | 'in_doubt' | 'not_sent' | 'resolved'

/** One step of an entry's history, appended, never rewritten. */
export interface Resolution {
  /** Milliseconds since the Unix epoch. */
  timeMs: number
  method: 'interrupted' | 'status_request' | 'late_answer' | 'by_hand'
  /** What it settled on; absent while still in doubt. */
  status?: Status
  note: string
  /** The terminal's records and raw answer (JSON text), card numbers masked. */
  evidence?: string
}

/** One transaction in the journal. */
export interface JournalEntry {
  id: number
  /** Milliseconds since the Unix epoch, UTC. */
  createdMs: number
  /** RFC 3339. */
  created: string
  /** 'host:port' or the serial path. */
  terminal: string
  protocol: string
  posNumber: number
  operation: string
  /** Minor units. */
  amount?: number
  currency?: string
  /** Merchant reference sent as private data. */
  reference?: string
  referenceGenerated: boolean
  state: JournalState
  /** True while nobody knows whether money moved. */
  inDoubt: boolean
  status?: Status
  reason?: string
  authorizedAmount?: number
  /** Always masked. */
  cardNumber?: string
  authorizationNumber?: string
  inDoubtCause?: string
  resolutions: Resolution[]
}

/** A date: a Date, 'YYYY-MM-DD' (midnight UTC) or RFC 3339 text, or ms since the epoch. */
export type JournalDate = Date | string | number

/** The crash-safe transaction journal (embedded SQLite). */
export declare class Journal {
  private constructor()
  /** Opens (or creates) the journal file; a corrupt file throws CONCERT_JOURNAL_CORRUPT, never recreated. */
  static open(path: string): Journal
  readonly path: string
  close(): void
  /** Entries nobody knows the fate of, oldest first: ask this first after a restart. */
  listInDoubt(): JournalEntry[]
  list(options?: { since?: JournalDate }): JournalEntry[]
  show(id: number): JournalEntry
  /** V3: asks the terminal for its last transaction; V2 rejects with CONCERT_JOURNAL_NEEDS_OPERATOR. */
  resolve(id: number, terminal: Terminal): Promise<JournalEntry>
  resolveByHand(id: number, decision: 'approved' | 'declined', note: string): JournalEntry
  export(options?: { format?: 'csv' | 'json'; since?: JournalDate }): string
  /** Deletes settled entries recorded before `before`; entries in doubt are kept. */
  prune(before: JournalDate): number
}
