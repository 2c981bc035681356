{ Concert.pas: Delphi / Free Pascal binding of concert.dll (libconcert),
  the C ABI of include/concert.h.

  Every function of concert.h is declared here (a test compares the two),
  then a thin class wrapper: TConcertTerminal (Pay, Refund, Cancel,
  Preauthorize, Status, Identify, Settle, Transact; background
  transactions through the polling API), TConcertRequest (receipt options,
  private data and the rest), TConcertOutcome, TConcertSimulator. Each
  class has a public Handle for raw calls.

  Delphi 2009 or later (Unicode strings), 32- and 64-bit alike: use the
  concert.dll of the same bitness as the program (target\windows\x86 for
  Win32, target\windows\x64 for Win64); the functions are cdecl on both.
  Free Pascal 3.2+: fpc -Mdelphiunicode (or -Mdelphi).

  Strings: the DLL speaks UTF-8 both ways. Strings from it are read with
  UTF8ToString, strings to it are passed UTF8Encode'd, so "à bientôt" and
  "€" come back as they were whatever the Windows code page (1252 on a
  French Windows).

  Loading: with Delphi the DLL is loaded on first use ("delayed"), so a
  till starts without it; ConcertCheckLibrary (called by every class
  constructor) then raises EConcertLibrary with a clear message when it is
  missing. Free Pascal 3.2 has no "delayed": there the DLL is loaded when
  the program starts (a macro below turns "delayed" into nothing).

  Failures raise EConcert (code + message); a payment whose fate is
  unknown is NOT an exception: it is an outcome with status
  CONCERT_STATUS_IN_DOUBT (IsInDoubt).

  GUI tills (VCL, LCL): use Submit (or SubmitPayPolled) and call NextEvent
  from a TTimer; everything then happens on the GUI thread, no callback
  from a foreign thread. CancelRunning (the Cancel button) may be called
  from any thread. }
unit Concert;

{$IFDEF FPC}
  {$MODE DELPHIUNICODE}
  {$MACRO ON}
  {$DEFINE delayed := }
  { FPC 3.2's own RTL (IntToStr, Exception.Message) is AnsiString even in
    this mode: its conversions to and from string are expected here. }
  {$WARN 4104 OFF}
  {$WARN 4105 OFF}
{$ENDIF}

interface

uses
  {$IFDEF MSWINDOWS}Windows,{$ENDIF}
  SysUtils;

const
{$IFDEF MSWINDOWS}
  ConcertLib = 'concert.dll';
{$ELSE}
  ConcertLib = 'concert';
{$ENDIF}

  CONCERT_RESULT_OK = 0;
  CONCERT_RESULT_NULL_ARGUMENT = 1;
  CONCERT_RESULT_INVALID_ARGUMENT = 2;
  CONCERT_RESULT_INVALID_UTF8 = 3;
  CONCERT_RESULT_BUFFER_TOO_SMALL = 4;
  CONCERT_RESULT_PANIC = 5;
  CONCERT_RESULT_ABSENT = 6;
  CONCERT_RESULT_TIMEOUT = 7;
  CONCERT_RESULT_IDLE = 8;
  CONCERT_RESULT_INVALID_REQUEST = 100;
  CONCERT_RESULT_CONFIG = 101;
  CONCERT_RESULT_BUSY = 102;
  CONCERT_RESULT_CONNECT = 103;
  CONCERT_RESULT_PORT = 104;
  CONCERT_RESULT_NOT_DELIVERED = 105;
  CONCERT_RESULT_CANCELLED = 106;
  CONCERT_RESULT_SIMULATOR = 200;

  CONCERT_STATUS_APPROVED = 1;
  CONCERT_STATUS_DECLINED = 2;
  CONCERT_STATUS_ABORTED = 3;
  CONCERT_STATUS_NOT_PERFORMED = 4;
  CONCERT_STATUS_PENDING = 5;
  CONCERT_STATUS_IN_DOUBT = 6;

  CONCERT_OPERATION_PAY = 1;
  CONCERT_OPERATION_REFUND = 2;
  CONCERT_OPERATION_CANCEL = 3;
  CONCERT_OPERATION_PREAUTHORIZE = 4;
  CONCERT_OPERATION_IDENTIFY = 5;
  CONCERT_OPERATION_STATUS = 6;
  CONCERT_OPERATION_SETTLE = 7;
  CONCERT_OPERATION_OTHER = 8;

  CONCERT_PROTOCOL_V2E = 1;
  CONCERT_PROTOCOL_V2E_PLUS = 2;
  CONCERT_PROTOCOL_V3 = 3;

  CONCERT_PARITY_NONE = 1;
  CONCERT_PARITY_EVEN = 2;
  CONCERT_PARITY_ODD = 3;

  CONCERT_TIMEOUT_CONNECT = 1;
  CONCERT_TIMEOUT_ANSWER = 2;
  CONCERT_TIMEOUT_QUIET_PERIOD = 3;
  CONCERT_TIMEOUT_QUERY = 4;

  CONCERT_APPLICATION_ANY = 1;
  CONCERT_APPLICATION_CARD = 2;
  CONCERT_APPLICATION_CHEQUE = 3;
  CONCERT_APPLICATION_AMEX = 4;
  CONCERT_APPLICATION_CETELEM = 5;
  CONCERT_APPLICATION_COFINOGA = 6;
  CONCERT_APPLICATION_DINERS = 7;
  CONCERT_APPLICATION_FRANFINANCE = 8;
  CONCERT_APPLICATION_JCB = 9;
  CONCERT_APPLICATION_ACCORD_FINANCE = 10;
  CONCERT_APPLICATION_UNION_PAY = 11;
  CONCERT_APPLICATION_MONEO = 12;
  CONCERT_APPLICATION_FINTRAX = 13;

  CONCERT_RECEIPT_COPY_CUSTOMER = 1;
  CONCERT_RECEIPT_COPY_MERCHANT = 2;
  CONCERT_RECEIPT_COPY_BOTH = 3;

  CONCERT_RECEIPT_FORMAT_TEXT = 1;
  CONCERT_RECEIPT_FORMAT_HTML = 2;

  CONCERT_EVENT_CONNECTING = 1;
  CONCERT_EVENT_SENT = 2;
  CONCERT_EVENT_ACKNOWLEDGED = 3;
  CONCERT_EVENT_WAITING_FOR_ANSWER = 4;
  CONCERT_EVENT_ANSWER_RECEIVED = 5;
  CONCERT_EVENT_DONE = 6;
  CONCERT_EVENT_LATE_ANSWER = 7;

  CONCERT_DIRECTION_SENT = 1;
  CONCERT_DIRECTION_RECEIVED = 2;

  CONCERT_JOURNAL_STATE_SENDING = 1;
  CONCERT_JOURNAL_STATE_SENT = 2;
  CONCERT_JOURNAL_STATE_OUTCOME = 3;
  CONCERT_JOURNAL_STATE_IN_DOUBT = 4;
  CONCERT_JOURNAL_STATE_NOT_SENT = 5;
  CONCERT_JOURNAL_STATE_RESOLVED = 6;
  CONCERT_RESOLUTION_INTERRUPTED = 1;
  CONCERT_RESOLUTION_STATUS_REQUEST = 2;
  CONCERT_RESOLUTION_LATE_ANSWER = 3;
  CONCERT_RESOLUTION_BY_HAND = 4;
  CONCERT_DECISION_APPROVED = 1;
  CONCERT_DECISION_DECLINED = 2;
  CONCERT_EXPORT_CSV = 1;
  CONCERT_EXPORT_JSON = 2;

  CONCERT_SIM_TRANSPORT_TCP = 1;
  CONCERT_SIM_TRANSPORT_PTY = 2;

  CONCERT_SIM_PROTOCOL_V2 = 1;
  CONCERT_SIM_PROTOCOL_V3 = 2;

  CONCERT_SCRIPT_APPROVE = 1;
  CONCERT_SCRIPT_DECLINE = 2;
  CONCERT_SCRIPT_ABANDON = 3;
  CONCERT_SCRIPT_PARTIAL = 4;
  CONCERT_SCRIPT_TIMEOUT = 5;
  CONCERT_SCRIPT_BUSY = 6;
  CONCERT_SCRIPT_V2_STATUS = 7;

  CONCERT_SIM_FAULT_CLOSE_MID_ANSWER = 1;
  CONCERT_SIM_FAULT_NEVER_ANSWER = 2;
  CONCERT_SIM_FAULT_SPLIT_WRITES = 3;
  CONCERT_SIM_FAULT_SKIP_FINAL_EOT = 4;
  CONCERT_SIM_FAULT_NAK_FIRST_FRAMES = 5;
  CONCERT_SIM_FAULT_CORRUPT_LRC_FIRST = 6;

type
  TConcertResult = Cardinal;
  PConcertTerminalConfig = Pointer;
  PConcertTerminal = Pointer;
  PConcertRequest = Pointer;
  PConcertOutcome = Pointer;
  PConcertEvent = Pointer;
  PConcertSimulatorConfig = Pointer;
  PConcertSimulator = Pointer;
  PConcertJournal = Pointer;
  PConcertJournalEntries = Pointer;
  PConcertJournalEntry = Pointer;
  TConcertSize = NativeUInt; { size_t }
  PConcertSize = ^TConcertSize;

  { Callbacks of concert_terminal_submit: they run on the library's worker
    thread, never the GUI thread (GUI tills poll instead). }
  TConcertDoneCallback = procedure(userdata: Pointer; AResult: TConcertResult;
    outcome: PConcertOutcome; errorMessage: PAnsiChar); cdecl;
  TConcertEventCallback = procedure(userdata: Pointer; event: Cardinal); cdecl;
  TConcertUserdataFree = procedure(userdata: Pointer); cdecl;
  { concert_log_params: level, target and message (UTF-8), valid during the call. }
  PConcertLogParams = Pointer;
  TConcertLogCallback = procedure(userdata: Pointer; params: PConcertLogParams); cdecl;

{ Terminal configuration }
function concert_terminal_config_new(out outConfig: PConcertTerminalConfig): TConcertResult; cdecl; external ConcertLib delayed;
procedure concert_terminal_config_free(config: PConcertTerminalConfig); cdecl; external ConcertLib delayed;
function concert_terminal_config_set_tcp(config: PConcertTerminalConfig; host: PAnsiChar; port: Word): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_config_set_serial(config: PConcertTerminalConfig; path: PAnsiChar; baud: Cardinal; dataBits: Cardinal; parity: Cardinal; stopBits: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_config_set_protocol(config: PConcertTerminalConfig; protocol: Cardinal; v3Version: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_config_set_pos_number(config: PConcertTerminalConfig; posNumber: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_config_set_cash_register_id(config: PConcertTerminalConfig; id: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_config_set_timeout_ms(config: PConcertTerminalConfig; which: Cardinal; milliseconds: UInt64): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_config_set_keep_raw_card_data(config: PConcertTerminalConfig; keep: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_config_last_error(config: PConcertTerminalConfig; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_config_set_protocol_name(config: PConcertTerminalConfig; name: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;

{ Polled events }
procedure concert_event_free(event: PConcertEvent); cdecl; external ConcertLib delayed;
function concert_event_get_kind(event: PConcertEvent): Cardinal; cdecl; external ConcertLib delayed;
function concert_event_result(event: PConcertEvent): TConcertResult; cdecl; external ConcertLib delayed;
function concert_event_status(event: PConcertEvent; out outStatus: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_event_take_outcome(event: PConcertEvent; out outOutcome: PConcertOutcome): TConcertResult; cdecl; external ConcertLib delayed;
function concert_event_error(event: PConcertEvent; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib delayed;

{ Outcomes: strings belong to the outcome (valid until it is freed) }
procedure concert_outcome_free(outcome: PConcertOutcome); cdecl; external ConcertLib delayed;
function concert_outcome_status(outcome: PConcertOutcome): Cardinal; cdecl; external ConcertLib delayed;

{ Results, statuses and version }
function concert_status_str(status: Cardinal): PAnsiChar; cdecl; external ConcertLib delayed;

{ Outcomes: strings belong to the outcome (valid until it is freed) }
function concert_outcome_operation(outcome: PConcertOutcome): Cardinal; cdecl; external ConcertLib delayed;
function concert_outcome_protocol_version(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_reason_code(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_reason(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_reason_detail(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_amount(outcome: PConcertOutcome; out outAmount: UInt64): TConcertResult; cdecl; external ConcertLib delayed;
function concert_outcome_requested_amount(outcome: PConcertOutcome; out outAmount: UInt64): TConcertResult; cdecl; external ConcertLib delayed;
function concert_outcome_partial(outcome: PConcertOutcome): Cardinal; cdecl; external ConcertLib delayed;
function concert_outcome_currency(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_currency_numeric(outcome: PConcertOutcome; out outNumeric: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_outcome_card_number(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_expiry(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_aid(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_application_code(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_application_label(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_read_mode(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_read_mode_text(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_authorization_number(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_contract(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_private_data(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_receipt_text(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_receipt_format(outcome: PConcertOutcome; out outFormat: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_outcome_receipt_copy(outcome: PConcertOutcome; out outCopy: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_outcome_raw_card_data(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_in_doubt_cause(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_outcome_record_count(outcome: PConcertOutcome): TConcertSize; cdecl; external ConcertLib delayed;
function concert_outcome_record(outcome: PConcertOutcome; AIndex: TConcertSize; out outName: PAnsiChar; out outValue: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_outcome_find_record(outcome: PConcertOutcome; name: PAnsiChar; out outValue: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_outcome_echo_mismatch_count(outcome: PConcertOutcome): TConcertSize; cdecl; external ConcertLib delayed;
function concert_outcome_echo_mismatch(outcome: PConcertOutcome; AIndex: TConcertSize; out outField: PAnsiChar; out outSent: PAnsiChar; out outReceived: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_outcome_raw_answer(outcome: PConcertOutcome; out outData: PByte; out outLen: TConcertSize): TConcertResult; cdecl; external ConcertLib delayed;
function concert_outcome_late_answer_count(outcome: PConcertOutcome): TConcertSize; cdecl; external ConcertLib delayed;
function concert_outcome_late_answer(outcome: PConcertOutcome; AIndex: TConcertSize; out outOutcome: PConcertOutcome; out outReceivedAtMs: UInt64): TConcertResult; cdecl; external ConcertLib delayed;
function concert_outcome_frame_count(outcome: PConcertOutcome): TConcertSize; cdecl; external ConcertLib delayed;
function concert_outcome_frame(outcome: PConcertOutcome; AIndex: TConcertSize; out outDirection: Cardinal; out outData: PByte; out outLen: TConcertSize): TConcertResult; cdecl; external ConcertLib delayed;

{ Requests }
function concert_request_new(operation: Cardinal; out outRequest: PConcertRequest): TConcertResult; cdecl; external ConcertLib delayed;
procedure concert_request_free(request: PConcertRequest); cdecl; external ConcertLib delayed;
function concert_request_set_amount(request: PConcertRequest; amount: UInt64): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_currency(request: PConcertRequest; code: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_amount_decimal(request: PConcertRequest; amount: PAnsiChar; currency: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_private_data(request: PConcertRequest; value: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_application(request: PConcertRequest; application: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_application_code(request: PConcertRequest; code: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_immediate_answer(request: PConcertRequest; value: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_force_authorization(request: PConcertRequest; value: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_partial_allowed(request: PConcertRequest; value: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_full_answer(request: PConcertRequest; value: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_receipt(request: PConcertRequest; copy: Cardinal; format: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_original_reference(request: PConcertRequest; value: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_customer_phone(request: PConcertRequest; value: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_customer_email(request: PConcertRequest; value: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_add_tag(request: PConcertRequest; tag: PAnsiChar; value: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_last_error(request: PConcertRequest; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib delayed;

{ Results, statuses and version }
function concert_result_str(code: Cardinal): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_result_is_safe_to_retry(code: Cardinal): Cardinal; cdecl; external ConcertLib delayed;

{ Journal: entries and lists belong to the caller (free them) }
function concert_journal_open(path: PAnsiChar; out outJournal: PConcertJournal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_journal_open_error(buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib delayed;
procedure concert_journal_close(journal: PConcertJournal); cdecl; external ConcertLib delayed;
function concert_journal_last_error(journal: PConcertJournal; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_config_set_journal(config: PConcertTerminalConfig; journal: PConcertJournal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_journal_list_in_doubt(journal: PConcertJournal; out outEntries: PConcertJournalEntries): TConcertResult; cdecl; external ConcertLib delayed;
function concert_journal_list(journal: PConcertJournal; sinceMs: Int64; out outEntries: PConcertJournalEntries): TConcertResult; cdecl; external ConcertLib delayed;
function concert_journal_show(journal: PConcertJournal; id: Int64; out outEntry: PConcertJournalEntry): TConcertResult; cdecl; external ConcertLib delayed;
function concert_journal_resolve(journal: PConcertJournal; id: Int64; terminal: PConcertTerminal; out outSettled: Cardinal; out outEntry: PConcertJournalEntry): TConcertResult; cdecl; external ConcertLib delayed;
function concert_journal_resolve_by_hand(journal: PConcertJournal; id: Int64; decision: Cardinal; ANote: PAnsiChar; out outEntry: PConcertJournalEntry): TConcertResult; cdecl; external ConcertLib delayed;
function concert_journal_export(journal: PConcertJournal; sinceMs: Int64; format: Cardinal; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib delayed;
function concert_journal_prune(journal: PConcertJournal; beforeMs: Int64; out outCount: UInt64): TConcertResult; cdecl; external ConcertLib delayed;
procedure concert_journal_entries_free(entries: PConcertJournalEntries); cdecl; external ConcertLib delayed;
function concert_journal_entries_count(entries: PConcertJournalEntries): TConcertSize; cdecl; external ConcertLib delayed;
function concert_journal_entries_get(entries: PConcertJournalEntries; AIndex: TConcertSize): PConcertJournalEntry; cdecl; external ConcertLib delayed;
procedure concert_journal_entry_free(entry: PConcertJournalEntry); cdecl; external ConcertLib delayed;
function concert_journal_entry_id(entry: PConcertJournalEntry): Int64; cdecl; external ConcertLib delayed;
function concert_journal_entry_created_ms(entry: PConcertJournalEntry): Int64; cdecl; external ConcertLib delayed;
function concert_journal_entry_state(entry: PConcertJournalEntry): Cardinal; cdecl; external ConcertLib delayed;
function concert_journal_entry_status(entry: PConcertJournalEntry; out outStatus: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_journal_entry_amount(entry: PConcertJournalEntry; out outAmount: UInt64): TConcertResult; cdecl; external ConcertLib delayed;
function concert_journal_entry_authorized_amount(entry: PConcertJournalEntry; out outAmount: UInt64): TConcertResult; cdecl; external ConcertLib delayed;
function concert_journal_entry_partial(entry: PConcertJournalEntry): Cardinal; cdecl; external ConcertLib delayed;
function concert_journal_entry_terminal(entry: PConcertJournalEntry): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_journal_entry_protocol(entry: PConcertJournalEntry): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_journal_entry_operation(entry: PConcertJournalEntry): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_journal_entry_currency(entry: PConcertJournalEntry): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_journal_entry_reference(entry: PConcertJournalEntry): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_journal_entry_reason(entry: PConcertJournalEntry): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_journal_entry_card_number(entry: PConcertJournalEntry): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_journal_entry_authorization_number(entry: PConcertJournalEntry): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_journal_entry_in_doubt_cause(entry: PConcertJournalEntry): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_journal_entry_json(entry: PConcertJournalEntry): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_journal_entry_resolution_count(entry: PConcertJournalEntry): TConcertSize; cdecl; external ConcertLib delayed;
function concert_journal_entry_resolution(entry: PConcertJournalEntry; AIndex: TConcertSize; out outMethod: Cardinal; out outTimeMs: Int64; out outNote: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_outcome_journal_entry(outcome: PConcertOutcome; out outId: Int64): TConcertResult; cdecl; external ConcertLib delayed;

{ Simulator configuration }
function concert_simulator_config_new(out outConfig: PConcertSimulatorConfig): TConcertResult; cdecl; external ConcertLib delayed;
procedure concert_simulator_config_free(config: PConcertSimulatorConfig); cdecl; external ConcertLib delayed;
function concert_simulator_config_set_transport(config: PConcertSimulatorConfig; transport: Cardinal; port: Word): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_config_set_protocol(config: PConcertSimulatorConfig; protocol: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_config_set_default_script(config: PConcertSimulatorConfig; kind: Cardinal; parameter: UInt64): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_config_set_default_script_name(config: PConcertSimulatorConfig; name: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_config_set_answer_delay_ms(config: PConcertSimulatorConfig; milliseconds: UInt64): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_config_set_fault(config: PConcertSimulatorConfig; fault: Cardinal; value: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_config_set_card_number(config: PConcertSimulatorConfig; cardNumber: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_config_set_receipt_text(config: PConcertSimulatorConfig; receipt: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_config_last_error(config: PConcertSimulatorConfig; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib delayed;

{ Simulator }
function concert_simulator_start(config: PConcertSimulatorConfig; out outSimulator: PConcertSimulator): TConcertResult; cdecl; external ConcertLib delayed;
procedure concert_simulator_free(simulator: PConcertSimulator); cdecl; external ConcertLib delayed;
function concert_simulator_port(simulator: PConcertSimulator; out outPort: Word): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_pty_path(simulator: PConcertSimulator): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_simulator_push_script(simulator: PConcertSimulator; kind: Cardinal; parameter: UInt64): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_push_script_name(simulator: PConcertSimulator; name: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_request_count(simulator: PConcertSimulator; out outCount: TConcertSize): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_wait_for_requests(simulator: PConcertSimulator; count: TConcertSize; timeoutMs: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_last_error(simulator: PConcertSimulator; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib delayed;

{ Terminal }
function concert_terminal_new(config: PConcertTerminalConfig; out outTerminal: PConcertTerminal): TConcertResult; cdecl; external ConcertLib delayed;
procedure concert_terminal_free(terminal: PConcertTerminal); cdecl; external ConcertLib delayed;
function concert_terminal_transact(terminal: PConcertTerminal; request: PConcertRequest; out outOutcome: PConcertOutcome): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_pay(terminal: PConcertTerminal; amount: UInt64; currency: PAnsiChar; out outOutcome: PConcertOutcome): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_submit(terminal: PConcertTerminal; request: PConcertRequest; onDone: TConcertDoneCallback; onEvent: TConcertEventCallback; userdata: Pointer; userdataFree: TConcertUserdataFree): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_submit_polled(terminal: PConcertTerminal; request: PConcertRequest): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_next_event(terminal: PConcertTerminal; timeoutMs: Cardinal; out outEvent: PConcertEvent): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_cancel(terminal: PConcertTerminal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_is_busy(terminal: PConcertTerminal): Cardinal; cdecl; external ConcertLib delayed;
function concert_terminal_close(terminal: PConcertTerminal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_take_late_answer(terminal: PConcertTerminal; out outOutcome: PConcertOutcome; out outReceivedAtMs: UInt64): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_last_error(terminal: PConcertTerminal; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib delayed;
function concert_terminal_encode(terminal: PConcertTerminal; request: PConcertRequest; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_new_named(operation: PAnsiChar; out outRequest: PConcertRequest): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_application_name(request: PConcertRequest; name: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_request_set_receipt_name(request: PConcertRequest; copy: PAnsiChar; format: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_operation_str(operation: Cardinal): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_result_code(code: Cardinal): PAnsiChar; cdecl; external ConcertLib delayed;
function concert_log_set_callback(callback: TConcertLogCallback; userdata: Pointer; maxLevel: Cardinal): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_config_set_payment_type(config: PConcertSimulatorConfig; paymentType: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;
function concert_simulator_config_set_contract(config: PConcertSimulatorConfig; contract: PAnsiChar): TConcertResult; cdecl; external ConcertLib delayed;

{ Results, statuses and version }
function concert_version: PAnsiChar; cdecl; external ConcertLib delayed;

type
  { A failed call: Code is a CONCERT_RESULT_* value. }
  EConcert = class(Exception)
  private
    FCode: TConcertResult;
  public
    constructor CreateCode(ACode: TConcertResult; const AMessage: string);
    { Codes 100-199: nothing reached the terminal, the request may be sent again. }
    function SafeToRetry: Boolean;
    property Code: TConcertResult read FCode;
  end;

  { concert.dll cannot be loaded (missing, or of the other bitness). }
  EConcertLibrary = class(Exception);

  TLastErrorFunc = function(handle: Pointer; buf: PAnsiChar; len: TConcertSize;
    outN: PConcertSize): TConcertResult; cdecl;

  { One exchanged frame of an outcome. }
  TConcertFrame = record
    Direction: Cardinal; { CONCERT_DIRECTION_* }
    Data: TBytes;
  end;

  { A field the terminal echoed differently from the request. }
  TConcertEchoMismatch = record
    Field, Sent, Received: string;
  end;

  { What came of a request; owns its C outcome. Texts are '' when the
    answer has none (HasAmount and friends tell absent from empty). }
  TConcertOutcome = class
  private
    FHandle: PConcertOutcome;
  public
    constructor Create(AHandle: PConcertOutcome);
    destructor Destroy; override;
    function Status: Cardinal; { CONCERT_STATUS_* }
    function StatusName: string;
    function IsApproved: Boolean;
    function IsInDoubt: Boolean;
    function Operation: Cardinal; { CONCERT_OPERATION_* }
    function ProtocolVersion: string;
    function HasAmount: Boolean;
    function Amount: UInt64; { minor units; 0 when the answer has none }
    function RequestedAmount: UInt64;
    function Partial: Boolean; { approved for less than asked: Amount was paid }
    function Currency: string;
    function CurrencyNumeric: Cardinal; { 0 when absent }
    function Reason: string;
    function ReasonCode: string;
    function ReasonDetail: string;
    function CardNumber: string; { always masked }
    function Expiry: string;
    function Aid: string;
    function ApplicationCode: string;
    function ApplicationLabel: string;
    function ReadMode: string;
    function ReadModeText: string;
    function AuthorizationNumber: string;
    function Contract: string;
    function PrivateData: string;
    function ReceiptText: string;
    function ReceiptFormat: Cardinal; { CONCERT_RECEIPT_FORMAT_*, 0 when absent }
    function ReceiptCopy: Cardinal; { CONCERT_RECEIPT_COPY_*, 0 when absent }
    function RawCardData: string; { only with keep_raw_card_data }
    function InDoubtCause: string;
    function RecordCount: Integer;
    procedure GetRecord(Index: Integer; out Name, Value: string);
    { The first record named Name ('AE', 'CB' ...), '' when none. }
    function Rec(const Name: string): string;
    function EchoMismatchCount: Integer;
    function EchoMismatch(Index: Integer): TConcertEchoMismatch;
    function RawAnswer: TBytes;
    function FrameCount: Integer;
    function Frame(Index: Integer): TConcertFrame;
    { Answers to earlier requests that came late, handed over with this
      outcome: each a new outcome (caller frees it) and when it came
      (milliseconds since the Unix epoch). }
    function LateAnswerCount: Integer;
    function LateAnswer(Index: Integer; out ReceivedAtMs: UInt64): TConcertOutcome;
    property Handle: PConcertOutcome read FHandle;
  end;

  { A request to build before Transact or Submit; owns its C request. }
  TConcertRequest = class
  private
    FHandle: PConcertRequest;
    procedure Check(R: TConcertResult);
  public
    constructor Create(Operation: Cardinal); { CONCERT_OPERATION_* }
    destructor Destroy; override;
    procedure SetAmount(Amount: UInt64; const Currency: string);
    { An exact decimal amount such as '12.50' (never through a float). }
    procedure SetAmountDecimal(const Amount, Currency: string);
    procedure SetPrivateData(const Value: string);
    procedure SetApplication(Application: Cardinal); { CONCERT_APPLICATION_* }
    procedure SetApplicationCode(const Code: string);
    procedure SetImmediateAnswer(Value: Boolean);
    procedure SetForceAuthorization(Value: Boolean);
    procedure SetPartialAllowed(Value: Boolean);
    procedure SetFullAnswer(Value: Boolean);
    { Which receipt copies the terminal returns, as text or HTML. }
    procedure SetReceipt(Copy, Format: Cardinal);
    procedure SetOriginalReference(const Value: string);
    procedure SetCustomerPhone(const Value: string);
    procedure SetCustomerEmail(const Value: string);
    procedure AddTag(const Tag, Value: string);
    property Handle: PConcertRequest read FHandle;
  end;

  { One event of a polled transaction. }
  TConcertEvent = class
  private
    FHandle: PConcertEvent;
  public
    constructor Create(AHandle: PConcertEvent);
    destructor Destroy; override;
    function Kind: Cardinal; { CONCERT_EVENT_* }
    function IsDone: Boolean;
    { For the DONE event: the outcome (caller frees it), or raises the
      transaction's error. }
    function TakeOutcome: TConcertOutcome;
    property Handle: PConcertEvent read FHandle;
  end;

  { Terminal settings; 0 or '' keeps the library's default. }
  TConcertTerminalOptions = record
    PosNumber: Cardinal; { 1-99 }
    CashRegisterId: string; { V3 CJ, 12 characters }
    ConnectTimeoutMs: UInt64;
    AnswerTimeoutMs: UInt64; { at least 60000: a payment takes minutes }
    QuietPeriodMs: UInt64;
    QueryTimeoutMs: UInt64;
    KeepRawCardData: Boolean;
  end;

  { A terminal over TCP or a serial line ('COM3', '\\.\COM10'). }
  TConcertTerminal = class
  private
    FHandle: PConcertTerminal;
    procedure Check(R: TConcertResult);
    procedure Open(Config: PConcertTerminalConfig; R: TConcertResult;
      const Options: TConcertTerminalOptions);
    function Simple(Operation: Cardinal; Amount: UInt64; const Currency: string): TConcertOutcome;
  public
    constructor CreateTcp(const Host: string; Port: Word); overload;
    constructor CreateTcp(const Host: string; Port: Word; const Options: TConcertTerminalOptions); overload;
    { Protocol: 'v2e', 'v2e+' or 'v3'; Parity: CONCERT_PARITY_*. }
    constructor CreateSerial(const Path, Protocol: string; Baud, DataBits, Parity, StopBits: Cardinal); overload;
    constructor CreateSerial(const Path, Protocol: string; Baud, DataBits, Parity, StopBits: Cardinal;
      const Options: TConcertTerminalOptions); overload;
    destructor Destroy; override;
    { Blocking operations (run them off the GUI thread, or use Submit). }
    function Transact(Request: TConcertRequest): TConcertOutcome;
    function Pay(Amount: UInt64; const Currency: string): TConcertOutcome;
    function PayDecimal(const Amount, Currency: string): TConcertOutcome;
    function Refund(Amount: UInt64; const Currency: string): TConcertOutcome;
    { Cancels (voids) an earlier payment: the Concert "cancel" operation. }
    function Cancel(Amount: UInt64; const Currency: string): TConcertOutcome;
    function Preauthorize(Amount: UInt64; const Currency: string): TConcertOutcome;
    function Status: TConcertOutcome;
    function Identify: TConcertOutcome;
    function Settle: TConcertOutcome;
    { Background: starts Request; read its progress and end with NextEvent. }
    procedure Submit(Request: TConcertRequest);
    procedure SubmitPayPolled(Amount: UInt64; const Currency: string);
    { The next event, or nil after TimeoutMs (or when nothing runs). }
    function NextEvent(TimeoutMs: Cardinal): TConcertEvent;
    { Stops the transaction running now (any thread): before the request
      left, it ends CANCELLED; after, in doubt. }
    procedure CancelRunning;
    function Busy: Boolean;
    { Closes the connection or port (reopened on the next request). }
    procedure Close;
    { The oldest late answer not yet handed over (caller frees it), or nil. }
    function TakeLateAnswer(out ReceivedAtMs: UInt64): TConcertOutcome;
    property Handle: PConcertTerminal read FHandle;
  end;

  { A simulated terminal for tests (V3 over TCP on 127.0.0.1). }
  TConcertSimulator = class
  private
    FHandle: PConcertSimulator;
    procedure Check(R: TConcertResult);
  public
    { Script: 'approve', 'decline:05', 'partial:500' ...; ReceiptText: the
      ticket it prints ('' for its own). }
    constructor CreateTcp(const Script: string = 'approve'; const ReceiptText: string = '');
    destructor Destroy; override;
    function Port: Word;
    procedure PushScript(const Name: string);
    function RequestCount: Integer;
    property Handle: PConcertSimulator read FHandle;
  end;

{ Raises EConcertLibrary when concert.dll cannot be loaded; does nothing
  once it is (and nothing outside Windows, where it is linked at start). }
procedure ConcertCheckLibrary;
function ConcertLastError(Handle: Pointer; Get: TLastErrorFunc): string;
{ A UTF-8 C string of the DLL as a Delphi string. }
function ConcertString(P: PAnsiChar): string;

implementation

{$IFDEF MSWINDOWS}
var
  LibraryChecked: Boolean = False;
{$ENDIF}

procedure ConcertCheckLibrary;
{$IFDEF MSWINDOWS}
var
  H: HMODULE;
  Code: DWORD;
{$ENDIF}
begin
{$IFDEF MSWINDOWS}
  if LibraryChecked then
    Exit;
  H := LoadLibraryW(PWideChar(UnicodeString(ConcertLib)));
  if H = 0 then
  begin
    Code := GetLastError;
    raise EConcertLibrary.CreateFmt('%s cannot be loaded: %s (put the %d-bit %s beside the program)',
      [ConcertLib, SysErrorMessage(Code), SizeOf(Pointer) * 8, ConcertLib]);
  end;
  { Kept loaded: the calls below resolve into it. }
  LibraryChecked := True;
{$ENDIF}
end;

function ConcertString(P: PAnsiChar): string;
var
  U: UTF8String;
begin
  Result := '';
  if P = nil then
    Exit;
  SetString(U, P, StrLen(P));
  Result := UTF8ToString(U);
end;

function Utf8(const S: string): UTF8String;
begin
  Result := UTF8Encode(S);
end;

function ConcertLastError(Handle: Pointer; Get: TLastErrorFunc): string;
var
  N: TConcertSize;
  Buf: UTF8String;
begin
  Result := '';
  N := 0;
  if Get(Handle, nil, 0, @N) <> CONCERT_RESULT_BUFFER_TOO_SMALL then
    Exit;
  SetLength(Buf, N + 1);
  if Get(Handle, PAnsiChar(Buf), N + 1, @N) = CONCERT_RESULT_OK then
  begin
    SetLength(Buf, N);
    Result := UTF8ToString(Buf);
  end;
end;

procedure Raise_(R: TConcertResult; const Msg: string);
begin
  if R <> CONCERT_RESULT_OK then
    raise EConcert.CreateCode(R, Msg);
end;

function Flag(Value: Boolean): Cardinal;
begin
  if Value then
    Result := 1
  else
    Result := 0;
end;

{ EConcert }

constructor EConcert.CreateCode(ACode: TConcertResult; const AMessage: string);
begin
  inherited Create(ConcertString(concert_result_str(ACode)) + ': ' + AMessage);
  FCode := ACode;
end;

function EConcert.SafeToRetry: Boolean;
begin
  Result := concert_result_is_safe_to_retry(FCode) = 1;
end;

{ TConcertOutcome }

constructor TConcertOutcome.Create(AHandle: PConcertOutcome);
begin
  inherited Create;
  FHandle := AHandle;
end;

destructor TConcertOutcome.Destroy;
begin
  concert_outcome_free(FHandle);
  inherited Destroy;
end;

function TConcertOutcome.Status: Cardinal;
begin
  Result := concert_outcome_status(FHandle);
end;

function TConcertOutcome.StatusName: string;
begin
  Result := ConcertString(concert_status_str(Status));
end;

function TConcertOutcome.IsApproved: Boolean;
begin
  Result := Status = CONCERT_STATUS_APPROVED;
end;

function TConcertOutcome.IsInDoubt: Boolean;
begin
  Result := Status = CONCERT_STATUS_IN_DOUBT;
end;

function TConcertOutcome.Operation: Cardinal;
begin
  Result := concert_outcome_operation(FHandle);
end;

function TConcertOutcome.ProtocolVersion: string;
begin
  Result := ConcertString(concert_outcome_protocol_version(FHandle));
end;

function TConcertOutcome.HasAmount: Boolean;
var
  A: UInt64;
begin
  Result := concert_outcome_amount(FHandle, A) = CONCERT_RESULT_OK;
end;

function TConcertOutcome.Amount: UInt64;
begin
  if concert_outcome_amount(FHandle, Result) <> CONCERT_RESULT_OK then
    Result := 0;
end;

function TConcertOutcome.RequestedAmount: UInt64;
begin
  if concert_outcome_requested_amount(FHandle, Result) <> CONCERT_RESULT_OK then
    Result := 0;
end;

function TConcertOutcome.Partial: Boolean;
begin
  Result := concert_outcome_partial(FHandle) = 1;
end;

function TConcertOutcome.Currency: string;
begin
  Result := ConcertString(concert_outcome_currency(FHandle));
end;

function TConcertOutcome.CurrencyNumeric: Cardinal;
begin
  if concert_outcome_currency_numeric(FHandle, Result) <> CONCERT_RESULT_OK then
    Result := 0;
end;

function TConcertOutcome.Reason: string;
begin
  Result := ConcertString(concert_outcome_reason(FHandle));
end;

function TConcertOutcome.ReasonCode: string;
begin
  Result := ConcertString(concert_outcome_reason_code(FHandle));
end;

function TConcertOutcome.ReasonDetail: string;
begin
  Result := ConcertString(concert_outcome_reason_detail(FHandle));
end;

function TConcertOutcome.CardNumber: string;
begin
  Result := ConcertString(concert_outcome_card_number(FHandle));
end;

function TConcertOutcome.Expiry: string;
begin
  Result := ConcertString(concert_outcome_expiry(FHandle));
end;

function TConcertOutcome.Aid: string;
begin
  Result := ConcertString(concert_outcome_aid(FHandle));
end;

function TConcertOutcome.ApplicationCode: string;
begin
  Result := ConcertString(concert_outcome_application_code(FHandle));
end;

function TConcertOutcome.ApplicationLabel: string;
begin
  Result := ConcertString(concert_outcome_application_label(FHandle));
end;

function TConcertOutcome.ReadMode: string;
begin
  Result := ConcertString(concert_outcome_read_mode(FHandle));
end;

function TConcertOutcome.ReadModeText: string;
begin
  Result := ConcertString(concert_outcome_read_mode_text(FHandle));
end;

function TConcertOutcome.AuthorizationNumber: string;
begin
  Result := ConcertString(concert_outcome_authorization_number(FHandle));
end;

function TConcertOutcome.Contract: string;
begin
  Result := ConcertString(concert_outcome_contract(FHandle));
end;

function TConcertOutcome.PrivateData: string;
begin
  Result := ConcertString(concert_outcome_private_data(FHandle));
end;

function TConcertOutcome.ReceiptText: string;
begin
  Result := ConcertString(concert_outcome_receipt_text(FHandle));
end;

function TConcertOutcome.ReceiptFormat: Cardinal;
begin
  if concert_outcome_receipt_format(FHandle, Result) <> CONCERT_RESULT_OK then
    Result := 0;
end;

function TConcertOutcome.ReceiptCopy: Cardinal;
begin
  if concert_outcome_receipt_copy(FHandle, Result) <> CONCERT_RESULT_OK then
    Result := 0;
end;

function TConcertOutcome.RawCardData: string;
begin
  Result := ConcertString(concert_outcome_raw_card_data(FHandle));
end;

function TConcertOutcome.InDoubtCause: string;
begin
  Result := ConcertString(concert_outcome_in_doubt_cause(FHandle));
end;

function TConcertOutcome.RecordCount: Integer;
begin
  Result := Integer(concert_outcome_record_count(FHandle));
end;

procedure TConcertOutcome.GetRecord(Index: Integer; out Name, Value: string);
var
  N, V: PAnsiChar;
begin
  if Index < 0 then
    Raise_(CONCERT_RESULT_ABSENT, 'record index ' + IntToStr(Index));
  Raise_(concert_outcome_record(FHandle, TConcertSize(Index), N, V), 'record index ' + IntToStr(Index));
  Name := ConcertString(N);
  Value := ConcertString(V);
end;

function TConcertOutcome.Rec(const Name: string): string;
var
  V: PAnsiChar;
  U: UTF8String;
begin
  U := Utf8(Name);
  if concert_outcome_find_record(FHandle, PAnsiChar(U), V) = CONCERT_RESULT_OK then
    Result := ConcertString(V)
  else
    Result := '';
end;

function TConcertOutcome.EchoMismatchCount: Integer;
begin
  Result := Integer(concert_outcome_echo_mismatch_count(FHandle));
end;

function TConcertOutcome.EchoMismatch(Index: Integer): TConcertEchoMismatch;
var
  F, S, R: PAnsiChar;
begin
  if Index < 0 then
    Raise_(CONCERT_RESULT_ABSENT, 'echo mismatch index ' + IntToStr(Index));
  Raise_(concert_outcome_echo_mismatch(FHandle, TConcertSize(Index), F, S, R),
    'echo mismatch index ' + IntToStr(Index));
  Result.Field := ConcertString(F);
  Result.Sent := ConcertString(S);
  Result.Received := ConcertString(R);
end;

function CopyBytes(Data: PByte; Len: TConcertSize): TBytes;
begin
  Result := nil;
  SetLength(Result, Len);
  if Len > 0 then
    Move(Data^, Result[0], Len);
end;

function TConcertOutcome.RawAnswer: TBytes;
var
  D: PByte;
  N: TConcertSize;
begin
  if concert_outcome_raw_answer(FHandle, D, N) = CONCERT_RESULT_OK then
    Result := CopyBytes(D, N)
  else
    SetLength(Result, 0);
end;

function TConcertOutcome.FrameCount: Integer;
begin
  Result := Integer(concert_outcome_frame_count(FHandle));
end;

function TConcertOutcome.Frame(Index: Integer): TConcertFrame;
var
  D: PByte;
  N: TConcertSize;
begin
  if Index < 0 then
    Raise_(CONCERT_RESULT_ABSENT, 'frame index ' + IntToStr(Index));
  Raise_(concert_outcome_frame(FHandle, TConcertSize(Index), Result.Direction, D, N),
    'frame index ' + IntToStr(Index));
  Result.Data := CopyBytes(D, N);
end;

function TConcertOutcome.LateAnswerCount: Integer;
begin
  Result := Integer(concert_outcome_late_answer_count(FHandle));
end;

function TConcertOutcome.LateAnswer(Index: Integer; out ReceivedAtMs: UInt64): TConcertOutcome;
var
  O: PConcertOutcome;
begin
  if Index < 0 then
    Raise_(CONCERT_RESULT_ABSENT, 'late answer index ' + IntToStr(Index));
  Raise_(concert_outcome_late_answer(FHandle, TConcertSize(Index), O, ReceivedAtMs),
    'late answer index ' + IntToStr(Index));
  Result := TConcertOutcome.Create(O);
end;

{ TConcertRequest }

constructor TConcertRequest.Create(Operation: Cardinal);
begin
  inherited Create;
  ConcertCheckLibrary;
  Raise_(concert_request_new(Operation, FHandle), 'operation ' + IntToStr(Operation));
end;

destructor TConcertRequest.Destroy;
begin
  concert_request_free(FHandle);
  inherited Destroy;
end;

procedure TConcertRequest.Check(R: TConcertResult);
begin
  if R <> CONCERT_RESULT_OK then
    Raise_(R, ConcertLastError(FHandle, TLastErrorFunc(@concert_request_last_error)));
end;

procedure TConcertRequest.SetAmount(Amount: UInt64; const Currency: string);
var
  C: UTF8String;
begin
  C := Utf8(Currency);
  Check(concert_request_set_amount(FHandle, Amount));
  Check(concert_request_set_currency(FHandle, PAnsiChar(C)));
end;

procedure TConcertRequest.SetAmountDecimal(const Amount, Currency: string);
var
  A, C: UTF8String;
begin
  A := Utf8(Amount);
  C := Utf8(Currency);
  Check(concert_request_set_amount_decimal(FHandle, PAnsiChar(A), PAnsiChar(C)));
end;

procedure TConcertRequest.SetPrivateData(const Value: string);
var
  V: UTF8String;
begin
  V := Utf8(Value);
  Check(concert_request_set_private_data(FHandle, PAnsiChar(V)));
end;

procedure TConcertRequest.SetApplication(Application: Cardinal);
begin
  Check(concert_request_set_application(FHandle, Application));
end;

procedure TConcertRequest.SetApplicationCode(const Code: string);
var
  V: UTF8String;
begin
  V := Utf8(Code);
  Check(concert_request_set_application_code(FHandle, PAnsiChar(V)));
end;

procedure TConcertRequest.SetImmediateAnswer(Value: Boolean);
begin
  Check(concert_request_set_immediate_answer(FHandle, Flag(Value)));
end;

procedure TConcertRequest.SetForceAuthorization(Value: Boolean);
begin
  Check(concert_request_set_force_authorization(FHandle, Flag(Value)));
end;

procedure TConcertRequest.SetPartialAllowed(Value: Boolean);
begin
  Check(concert_request_set_partial_allowed(FHandle, Flag(Value)));
end;

procedure TConcertRequest.SetFullAnswer(Value: Boolean);
begin
  Check(concert_request_set_full_answer(FHandle, Flag(Value)));
end;

procedure TConcertRequest.SetReceipt(Copy, Format: Cardinal);
begin
  Check(concert_request_set_receipt(FHandle, Copy, Format));
end;

procedure TConcertRequest.SetOriginalReference(const Value: string);
var
  V: UTF8String;
begin
  V := Utf8(Value);
  Check(concert_request_set_original_reference(FHandle, PAnsiChar(V)));
end;

procedure TConcertRequest.SetCustomerPhone(const Value: string);
var
  V: UTF8String;
begin
  V := Utf8(Value);
  Check(concert_request_set_customer_phone(FHandle, PAnsiChar(V)));
end;

procedure TConcertRequest.SetCustomerEmail(const Value: string);
var
  V: UTF8String;
begin
  V := Utf8(Value);
  Check(concert_request_set_customer_email(FHandle, PAnsiChar(V)));
end;

procedure TConcertRequest.AddTag(const Tag, Value: string);
var
  T, V: UTF8String;
begin
  T := Utf8(Tag);
  V := Utf8(Value);
  Check(concert_request_add_tag(FHandle, PAnsiChar(T), PAnsiChar(V)));
end;

{ TConcertEvent }

constructor TConcertEvent.Create(AHandle: PConcertEvent);
begin
  inherited Create;
  FHandle := AHandle;
end;

destructor TConcertEvent.Destroy;
begin
  concert_event_free(FHandle);
  inherited Destroy;
end;

function TConcertEvent.Kind: Cardinal;
begin
  Result := concert_event_get_kind(FHandle);
end;

function TConcertEvent.IsDone: Boolean;
begin
  Result := Kind = CONCERT_EVENT_DONE;
end;

function TConcertEvent.TakeOutcome: TConcertOutcome;
var
  O: PConcertOutcome;
  R: TConcertResult;
begin
  R := concert_event_take_outcome(FHandle, O);
  if R <> CONCERT_RESULT_OK then
    Raise_(R, ConcertLastError(FHandle, TLastErrorFunc(@concert_event_error)));
  Result := TConcertOutcome.Create(O);
end;

{ TConcertTerminal }

procedure TConcertTerminal.Check(R: TConcertResult);
begin
  if R <> CONCERT_RESULT_OK then
    Raise_(R, ConcertLastError(FHandle, TLastErrorFunc(@concert_terminal_last_error)));
end;

const
  NoOptions: TConcertTerminalOptions = (PosNumber: 0; CashRegisterId: ''; ConnectTimeoutMs: 0;
    AnswerTimeoutMs: 0; QuietPeriodMs: 0; QueryTimeoutMs: 0; KeepRawCardData: False);

{ Applies the options to Config, makes the terminal, frees Config. R is the
  result of the connection setter. }
procedure TConcertTerminal.Open(Config: PConcertTerminalConfig; R: TConcertResult;
  const Options: TConcertTerminalOptions);
var
  Id: UTF8String;
begin
  try
    if (R = CONCERT_RESULT_OK) and (Options.PosNumber <> 0) then
      R := concert_terminal_config_set_pos_number(Config, Options.PosNumber);
    if (R = CONCERT_RESULT_OK) and (Options.CashRegisterId <> '') then
    begin
      Id := Utf8(Options.CashRegisterId);
      R := concert_terminal_config_set_cash_register_id(Config, PAnsiChar(Id));
    end;
    if (R = CONCERT_RESULT_OK) and (Options.ConnectTimeoutMs <> 0) then
      R := concert_terminal_config_set_timeout_ms(Config, CONCERT_TIMEOUT_CONNECT, Options.ConnectTimeoutMs);
    if (R = CONCERT_RESULT_OK) and (Options.AnswerTimeoutMs <> 0) then
      R := concert_terminal_config_set_timeout_ms(Config, CONCERT_TIMEOUT_ANSWER, Options.AnswerTimeoutMs);
    if (R = CONCERT_RESULT_OK) and (Options.QuietPeriodMs <> 0) then
      R := concert_terminal_config_set_timeout_ms(Config, CONCERT_TIMEOUT_QUIET_PERIOD, Options.QuietPeriodMs);
    if (R = CONCERT_RESULT_OK) and (Options.QueryTimeoutMs <> 0) then
      R := concert_terminal_config_set_timeout_ms(Config, CONCERT_TIMEOUT_QUERY, Options.QueryTimeoutMs);
    if (R = CONCERT_RESULT_OK) and Options.KeepRawCardData then
      R := concert_terminal_config_set_keep_raw_card_data(Config, 1);
    if R = CONCERT_RESULT_OK then
      R := concert_terminal_new(Config, FHandle);
    if R <> CONCERT_RESULT_OK then
      Raise_(R, ConcertLastError(Config, TLastErrorFunc(@concert_terminal_config_last_error)));
  finally
    concert_terminal_config_free(Config);
  end;
end;

constructor TConcertTerminal.CreateTcp(const Host: string; Port: Word);
begin
  CreateTcp(Host, Port, NoOptions);
end;

constructor TConcertTerminal.CreateTcp(const Host: string; Port: Word; const Options: TConcertTerminalOptions);
var
  C: PConcertTerminalConfig;
  H: UTF8String;
begin
  inherited Create;
  ConcertCheckLibrary;
  Raise_(concert_terminal_config_new(C), 'concert_terminal_config_new');
  H := Utf8(Host);
  Open(C, concert_terminal_config_set_tcp(C, PAnsiChar(H), Port), Options);
end;

constructor TConcertTerminal.CreateSerial(const Path, Protocol: string; Baud, DataBits, Parity, StopBits: Cardinal);
begin
  CreateSerial(Path, Protocol, Baud, DataBits, Parity, StopBits, NoOptions);
end;

constructor TConcertTerminal.CreateSerial(const Path, Protocol: string; Baud, DataBits, Parity, StopBits: Cardinal;
  const Options: TConcertTerminalOptions);
var
  C: PConcertTerminalConfig;
  R: TConcertResult;
  P, Pr: UTF8String;
begin
  inherited Create;
  ConcertCheckLibrary;
  Raise_(concert_terminal_config_new(C), 'concert_terminal_config_new');
  P := Utf8(Path);
  Pr := Utf8(Protocol);
  R := concert_terminal_config_set_serial(C, PAnsiChar(P), Baud, DataBits, Parity, StopBits);
  if R = CONCERT_RESULT_OK then
    R := concert_terminal_config_set_protocol_name(C, PAnsiChar(Pr));
  Open(C, R, Options);
end;

destructor TConcertTerminal.Destroy;
begin
  concert_terminal_free(FHandle);
  inherited Destroy;
end;

function TConcertTerminal.Transact(Request: TConcertRequest): TConcertOutcome;
var
  O: PConcertOutcome;
begin
  Check(concert_terminal_transact(FHandle, Request.Handle, O));
  Result := TConcertOutcome.Create(O);
end;

function TConcertTerminal.Simple(Operation: Cardinal; Amount: UInt64; const Currency: string): TConcertOutcome;
var
  Req: TConcertRequest;
begin
  Req := TConcertRequest.Create(Operation);
  try
    if Currency <> '' then
      Req.SetAmount(Amount, Currency);
    Result := Transact(Req);
  finally
    Req.Free;
  end;
end;

function TConcertTerminal.Pay(Amount: UInt64; const Currency: string): TConcertOutcome;
var
  O: PConcertOutcome;
  C: UTF8String;
begin
  C := Utf8(Currency);
  Check(concert_terminal_pay(FHandle, Amount, PAnsiChar(C), O));
  Result := TConcertOutcome.Create(O);
end;

function TConcertTerminal.PayDecimal(const Amount, Currency: string): TConcertOutcome;
var
  Req: TConcertRequest;
begin
  Req := TConcertRequest.Create(CONCERT_OPERATION_PAY);
  try
    Req.SetAmountDecimal(Amount, Currency);
    Result := Transact(Req);
  finally
    Req.Free;
  end;
end;

function TConcertTerminal.Refund(Amount: UInt64; const Currency: string): TConcertOutcome;
begin
  Result := Simple(CONCERT_OPERATION_REFUND, Amount, Currency);
end;

function TConcertTerminal.Cancel(Amount: UInt64; const Currency: string): TConcertOutcome;
begin
  Result := Simple(CONCERT_OPERATION_CANCEL, Amount, Currency);
end;

function TConcertTerminal.Preauthorize(Amount: UInt64; const Currency: string): TConcertOutcome;
begin
  Result := Simple(CONCERT_OPERATION_PREAUTHORIZE, Amount, Currency);
end;

function TConcertTerminal.Status: TConcertOutcome;
begin
  Result := Simple(CONCERT_OPERATION_STATUS, 0, '');
end;

function TConcertTerminal.Identify: TConcertOutcome;
begin
  Result := Simple(CONCERT_OPERATION_IDENTIFY, 0, '');
end;

function TConcertTerminal.Settle: TConcertOutcome;
begin
  Result := Simple(CONCERT_OPERATION_SETTLE, 0, '');
end;

procedure TConcertTerminal.Submit(Request: TConcertRequest);
begin
  Check(concert_terminal_submit_polled(FHandle, Request.Handle));
end;

procedure TConcertTerminal.SubmitPayPolled(Amount: UInt64; const Currency: string);
var
  Req: TConcertRequest;
begin
  Req := TConcertRequest.Create(CONCERT_OPERATION_PAY);
  try
    Req.SetAmount(Amount, Currency);
    Submit(Req);
  finally
    Req.Free;
  end;
end;

function TConcertTerminal.NextEvent(TimeoutMs: Cardinal): TConcertEvent;
var
  E: PConcertEvent;
  R: TConcertResult;
begin
  Result := nil;
  R := concert_terminal_next_event(FHandle, TimeoutMs, E);
  if (R = CONCERT_RESULT_TIMEOUT) or (R = CONCERT_RESULT_IDLE) then
    Exit;
  Check(R);
  Result := TConcertEvent.Create(E);
end;

procedure TConcertTerminal.CancelRunning;
begin
  Check(concert_terminal_cancel(FHandle));
end;

function TConcertTerminal.Busy: Boolean;
begin
  Result := concert_terminal_is_busy(FHandle) = 1;
end;

procedure TConcertTerminal.Close;
begin
  Check(concert_terminal_close(FHandle));
end;

function TConcertTerminal.TakeLateAnswer(out ReceivedAtMs: UInt64): TConcertOutcome;
var
  O: PConcertOutcome;
  R: TConcertResult;
begin
  Result := nil;
  ReceivedAtMs := 0;
  R := concert_terminal_take_late_answer(FHandle, O, ReceivedAtMs);
  if R = CONCERT_RESULT_ABSENT then
    Exit;
  Check(R);
  Result := TConcertOutcome.Create(O);
end;

{ TConcertSimulator }

procedure TConcertSimulator.Check(R: TConcertResult);
begin
  if R <> CONCERT_RESULT_OK then
    Raise_(R, ConcertLastError(FHandle, TLastErrorFunc(@concert_simulator_last_error)));
end;

constructor TConcertSimulator.CreateTcp(const Script: string; const ReceiptText: string);
var
  C: PConcertSimulatorConfig;
  R: TConcertResult;
  S, T: UTF8String;
begin
  inherited Create;
  ConcertCheckLibrary;
  Raise_(concert_simulator_config_new(C), 'concert_simulator_config_new');
  try
    S := Utf8(Script);
    T := Utf8(ReceiptText);
    R := concert_simulator_config_set_transport(C, CONCERT_SIM_TRANSPORT_TCP, 0);
    if R = CONCERT_RESULT_OK then
      R := concert_simulator_config_set_default_script_name(C, PAnsiChar(S));
    if (R = CONCERT_RESULT_OK) and (ReceiptText <> '') then
      R := concert_simulator_config_set_receipt_text(C, PAnsiChar(T));
    if R = CONCERT_RESULT_OK then
      R := concert_simulator_start(C, FHandle);
    if R <> CONCERT_RESULT_OK then
      Raise_(R, ConcertLastError(C, TLastErrorFunc(@concert_simulator_config_last_error)));
  finally
    concert_simulator_config_free(C);
  end;
end;

destructor TConcertSimulator.Destroy;
begin
  concert_simulator_free(FHandle);
  inherited Destroy;
end;

function TConcertSimulator.Port: Word;
begin
  Check(concert_simulator_port(FHandle, Result));
end;

procedure TConcertSimulator.PushScript(const Name: string);
var
  N: UTF8String;
begin
  N := Utf8(Name);
  Check(concert_simulator_push_script_name(FHandle, PAnsiChar(N)));
end;

function TConcertSimulator.RequestCount: Integer;
var
  N: TConcertSize;
begin
  Check(concert_simulator_request_count(FHandle, N));
  Result := Integer(N);
end;

end.
