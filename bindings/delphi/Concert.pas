{ Concert.pas: Delphi / Free Pascal binding of libconcert (concert.h).

  External declarations of the C ABI plus a thin class wrapper. Compiles
  with Delphi and with Free Pascal in Delphi mode (fpc -Mdelphi). Every
  function is cdecl. Failures raise EConcert (code + message); a payment
  whose fate is unknown is NOT an exception: it is an outcome with status
  CONCERT_STATUS_IN_DOUBT.

  GUI tills (VCL, LCL): use SubmitPolled and call NextEvent from a TTimer;
  everything then happens on the GUI thread, no callback from a foreign
  thread. }
unit Concert;

{$IFDEF FPC}{$MODE DELPHI}{$ENDIF}

interface

uses
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

  CONCERT_PARITY_NONE = 1;
  CONCERT_PARITY_EVEN = 2;
  CONCERT_PARITY_ODD = 3;

  CONCERT_EVENT_CONNECTING = 1;
  CONCERT_EVENT_SENT = 2;
  CONCERT_EVENT_ACKNOWLEDGED = 3;
  CONCERT_EVENT_WAITING_FOR_ANSWER = 4;
  CONCERT_EVENT_ANSWER_RECEIVED = 5;
  CONCERT_EVENT_DONE = 6;

  CONCERT_SIM_TRANSPORT_TCP = 1;
  CONCERT_SIM_TRANSPORT_PTY = 2;
  CONCERT_SIM_PROTOCOL_V2 = 1;
  CONCERT_SIM_PROTOCOL_V3 = 2;

type
  TConcertResult = Cardinal;
  PConcertTerminalConfig = Pointer;
  PConcertTerminal = Pointer;
  PConcertRequest = Pointer;
  PConcertOutcome = Pointer;
  PConcertEvent = Pointer;
  PConcertSimulatorConfig = Pointer;
  PConcertSimulator = Pointer;
  TConcertSize = NativeUInt; { size_t }
  PConcertSize = ^TConcertSize;

{ Results and version }
function concert_result_str(code: Cardinal): PAnsiChar; cdecl; external ConcertLib;
function concert_result_is_safe_to_retry(code: Cardinal): Cardinal; cdecl; external ConcertLib;
function concert_version: PAnsiChar; cdecl; external ConcertLib;
function concert_status_str(status: Cardinal): PAnsiChar; cdecl; external ConcertLib;

{ Terminal configuration }
function concert_terminal_config_new(out config: PConcertTerminalConfig): TConcertResult; cdecl; external ConcertLib;
procedure concert_terminal_config_free(config: PConcertTerminalConfig); cdecl; external ConcertLib;
function concert_terminal_config_set_tcp(config: PConcertTerminalConfig; host: PAnsiChar; port: Word): TConcertResult; cdecl; external ConcertLib;
function concert_terminal_config_set_serial(config: PConcertTerminalConfig; path: PAnsiChar; baud, dataBits, parity, stopBits: Cardinal): TConcertResult; cdecl; external ConcertLib;
function concert_terminal_config_set_protocol_name(config: PConcertTerminalConfig; name: PAnsiChar): TConcertResult; cdecl; external ConcertLib;
function concert_terminal_config_set_pos_number(config: PConcertTerminalConfig; posNumber: Cardinal): TConcertResult; cdecl; external ConcertLib;
function concert_terminal_config_last_error(config: PConcertTerminalConfig; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib;

{ Terminal }
function concert_terminal_new(config: PConcertTerminalConfig; out terminal: PConcertTerminal): TConcertResult; cdecl; external ConcertLib;
procedure concert_terminal_free(terminal: PConcertTerminal); cdecl; external ConcertLib;
function concert_terminal_transact(terminal: PConcertTerminal; request: PConcertRequest; out outcome: PConcertOutcome): TConcertResult; cdecl; external ConcertLib;
function concert_terminal_pay(terminal: PConcertTerminal; amount: UInt64; currency: PAnsiChar; out outcome: PConcertOutcome): TConcertResult; cdecl; external ConcertLib;
function concert_terminal_submit_polled(terminal: PConcertTerminal; request: PConcertRequest): TConcertResult; cdecl; external ConcertLib;
function concert_terminal_next_event(terminal: PConcertTerminal; timeoutMs: Cardinal; out event: PConcertEvent): TConcertResult; cdecl; external ConcertLib;
function concert_terminal_cancel(terminal: PConcertTerminal): TConcertResult; cdecl; external ConcertLib;
function concert_terminal_is_busy(terminal: PConcertTerminal): Cardinal; cdecl; external ConcertLib;
function concert_terminal_last_error(terminal: PConcertTerminal; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib;

{ Request }
function concert_request_new(operation: Cardinal; out request: PConcertRequest): TConcertResult; cdecl; external ConcertLib;
procedure concert_request_free(request: PConcertRequest); cdecl; external ConcertLib;
function concert_request_set_amount(request: PConcertRequest; amount: UInt64): TConcertResult; cdecl; external ConcertLib;
function concert_request_set_currency(request: PConcertRequest; code: PAnsiChar): TConcertResult; cdecl; external ConcertLib;
function concert_request_set_amount_decimal(request: PConcertRequest; amount, currency: PAnsiChar): TConcertResult; cdecl; external ConcertLib;
function concert_request_set_private_data(request: PConcertRequest; value: PAnsiChar): TConcertResult; cdecl; external ConcertLib;
function concert_request_last_error(request: PConcertRequest; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib;

{ Outcome: strings belong to the outcome (valid until it is freed) }
procedure concert_outcome_free(outcome: PConcertOutcome); cdecl; external ConcertLib;
function concert_outcome_status(outcome: PConcertOutcome): Cardinal; cdecl; external ConcertLib;
function concert_outcome_amount(outcome: PConcertOutcome; out amount: UInt64): TConcertResult; cdecl; external ConcertLib;
function concert_outcome_partial(outcome: PConcertOutcome): Cardinal; cdecl; external ConcertLib;
function concert_outcome_reason(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib;
function concert_outcome_reason_code(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib;
function concert_outcome_card_number(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib;
function concert_outcome_authorization_number(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib;
function concert_outcome_receipt_text(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib;
function concert_outcome_in_doubt_cause(outcome: PConcertOutcome): PAnsiChar; cdecl; external ConcertLib;
function concert_outcome_record_count(outcome: PConcertOutcome): TConcertSize; cdecl; external ConcertLib;
function concert_outcome_record(outcome: PConcertOutcome; index: TConcertSize; out name, value: PAnsiChar): TConcertResult; cdecl; external ConcertLib;

{ Polled events }
procedure concert_event_free(event: PConcertEvent); cdecl; external ConcertLib;
function concert_event_get_kind(event: PConcertEvent): Cardinal; cdecl; external ConcertLib;
function concert_event_take_outcome(event: PConcertEvent; out outcome: PConcertOutcome): TConcertResult; cdecl; external ConcertLib;
function concert_event_error(event: PConcertEvent; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib;

{ Simulator }
function concert_simulator_config_new(out config: PConcertSimulatorConfig): TConcertResult; cdecl; external ConcertLib;
procedure concert_simulator_config_free(config: PConcertSimulatorConfig); cdecl; external ConcertLib;
function concert_simulator_config_set_transport(config: PConcertSimulatorConfig; transport: Cardinal; port: Word): TConcertResult; cdecl; external ConcertLib;
function concert_simulator_config_set_protocol(config: PConcertSimulatorConfig; protocol: Cardinal): TConcertResult; cdecl; external ConcertLib;
function concert_simulator_config_set_default_script_name(config: PConcertSimulatorConfig; name: PAnsiChar): TConcertResult; cdecl; external ConcertLib;
function concert_simulator_config_last_error(config: PConcertSimulatorConfig; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib;
function concert_simulator_start(config: PConcertSimulatorConfig; out simulator: PConcertSimulator): TConcertResult; cdecl; external ConcertLib;
procedure concert_simulator_free(simulator: PConcertSimulator); cdecl; external ConcertLib;
function concert_simulator_port(simulator: PConcertSimulator; out port: Word): TConcertResult; cdecl; external ConcertLib;
function concert_simulator_pty_path(simulator: PConcertSimulator): PAnsiChar; cdecl; external ConcertLib;
function concert_simulator_push_script_name(simulator: PConcertSimulator; name: PAnsiChar): TConcertResult; cdecl; external ConcertLib;
function concert_simulator_last_error(simulator: PConcertSimulator; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl; external ConcertLib;

type
  { A failed call: Code is a CONCERT_RESULT_* value. }
  EConcert = class(Exception)
  private
    FCode: TConcertResult;
  public
    constructor CreateCode(ACode: TConcertResult; const AMessage: string);
    function SafeToRetry: Boolean;
    property Code: TConcertResult read FCode;
  end;

  TLastErrorFunc = function(handle: Pointer; buf: PAnsiChar; len: TConcertSize; outN: PConcertSize): TConcertResult; cdecl;

  { What came of a request; owns its C outcome. }
  TConcertOutcome = class
  private
    FHandle: PConcertOutcome;
  public
    constructor Create(AHandle: PConcertOutcome);
    destructor Destroy; override;
    function Status: Cardinal;
    function StatusName: string;
    function Amount: UInt64; { 0 when the answer has none }
    function Partial: Boolean; { approved for less than asked: Amount was paid }
    function Reason: string;
    function ReasonCode: string;
    function CardNumber: string; { always masked }
    function AuthorizationNumber: string;
    function ReceiptText: string;
    function Rec(const Name: string): string;
    property Handle: PConcertOutcome read FHandle;
  end;

  { One event of a polled transaction. }
  TConcertEvent = class
  private
    FHandle: PConcertEvent;
  public
    constructor Create(AHandle: PConcertEvent);
    destructor Destroy; override;
    function Kind: Cardinal;
    function IsDone: Boolean;
    { For the DONE event: the outcome (caller frees it), or raises the
      transaction's error. }
    function TakeOutcome: TConcertOutcome;
  end;

  { A terminal over TCP or serial. }
  TConcertTerminal = class
  private
    FHandle: PConcertTerminal;
    procedure Check(R: TConcertResult);
  public
    constructor CreateTcp(const Host: string; Port: Word);
    constructor CreateSerial(const Path, Protocol: string; Baud, DataBits, Parity, StopBits: Cardinal);
    destructor Destroy; override;
    { Blocking payment of Amount minor units. }
    function Pay(Amount: UInt64; const Currency: string): TConcertOutcome;
    { Payment of an exact decimal amount such as '12.50'. }
    function PayDecimal(const Amount, Currency: string): TConcertOutcome;
    { Starts a payment in the background; read it with NextEvent. }
    procedure SubmitPayPolled(Amount: UInt64; const Currency: string);
    { The next event, or nil after TimeoutMs (or when nothing runs). }
    function NextEvent(TimeoutMs: Cardinal): TConcertEvent;
    procedure Cancel;
    function Busy: Boolean;
  end;

  { A simulated terminal for tests. }
  TConcertSimulator = class
  private
    FHandle: PConcertSimulator;
  public
    constructor CreateTcp(const Script: string);
    destructor Destroy; override;
    function Port: Word;
    procedure PushScript(const Name: string);
  end;

function ConcertLastError(Handle: Pointer; Get: TLastErrorFunc): string;

implementation

function ConcertLastError(Handle: Pointer; Get: TLastErrorFunc): string;
var
  N: TConcertSize;
  Buf: AnsiString;
begin
  Result := '';
  N := 0;
  if Get(Handle, nil, 0, @N) <> CONCERT_RESULT_BUFFER_TOO_SMALL then
    Exit;
  SetLength(Buf, N + 1);
  if Get(Handle, PAnsiChar(Buf), N + 1, @N) = CONCERT_RESULT_OK then
    Result := string(Copy(Buf, 1, N));
end;

function Str(P: PAnsiChar): string;
begin
  if P = nil then
    Result := ''
  else
    Result := string(AnsiString(P));
end;

procedure Raise_(R: TConcertResult; const Msg: string);
begin
  if R <> CONCERT_RESULT_OK then
    raise EConcert.CreateCode(R, Msg);
end;

{ EConcert }

constructor EConcert.CreateCode(ACode: TConcertResult; const AMessage: string);
begin
  inherited Create(Str(concert_result_str(ACode)) + ': ' + AMessage);
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
  Result := Str(concert_status_str(Status));
end;

function TConcertOutcome.Amount: UInt64;
begin
  if concert_outcome_amount(FHandle, Result) <> CONCERT_RESULT_OK then
    Result := 0;
end;

function TConcertOutcome.Partial: Boolean;
begin
  Result := concert_outcome_partial(FHandle) = 1;
end;

function TConcertOutcome.Reason: string;
begin
  Result := Str(concert_outcome_reason(FHandle));
end;

function TConcertOutcome.ReasonCode: string;
begin
  Result := Str(concert_outcome_reason_code(FHandle));
end;

function TConcertOutcome.CardNumber: string;
begin
  Result := Str(concert_outcome_card_number(FHandle));
end;

function TConcertOutcome.AuthorizationNumber: string;
begin
  Result := Str(concert_outcome_authorization_number(FHandle));
end;

function TConcertOutcome.ReceiptText: string;
begin
  Result := Str(concert_outcome_receipt_text(FHandle));
end;

function TConcertOutcome.Rec(const Name: string): string;
var
  I: TConcertSize;
  N, V: PAnsiChar;
begin
  Result := '';
  I := 0;
  while I < concert_outcome_record_count(FHandle) do
  begin
    if (concert_outcome_record(FHandle, I, N, V) = CONCERT_RESULT_OK) and (Str(N) = Name) then
    begin
      Result := Str(V);
      Exit;
    end;
    Inc(I);
  end;
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
  Raise_(R, ConcertLastError(FHandle, TLastErrorFunc(@concert_event_error)));
  Result := TConcertOutcome.Create(O);
end;

{ TConcertTerminal }

procedure TConcertTerminal.Check(R: TConcertResult);
begin
  Raise_(R, ConcertLastError(FHandle, TLastErrorFunc(@concert_terminal_last_error)));
end;

function NewTerminal(Config: PConcertTerminalConfig; R: TConcertResult): PConcertTerminal;
begin
  Result := nil;
  try
    if R = CONCERT_RESULT_OK then
      R := concert_terminal_new(Config, Result);
    Raise_(R, ConcertLastError(Config, TLastErrorFunc(@concert_terminal_config_last_error)));
  finally
    concert_terminal_config_free(Config);
  end;
end;

constructor TConcertTerminal.CreateTcp(const Host: string; Port: Word);
var
  C: PConcertTerminalConfig;
begin
  inherited Create;
  Raise_(concert_terminal_config_new(C), 'concert_terminal_config_new');
  FHandle := NewTerminal(C, concert_terminal_config_set_tcp(C, PAnsiChar(UTF8Encode(Host)), Port));
end;

constructor TConcertTerminal.CreateSerial(const Path, Protocol: string; Baud, DataBits, Parity, StopBits: Cardinal);
var
  C: PConcertTerminalConfig;
  R: TConcertResult;
begin
  inherited Create;
  Raise_(concert_terminal_config_new(C), 'concert_terminal_config_new');
  R := concert_terminal_config_set_serial(C, PAnsiChar(UTF8Encode(Path)), Baud, DataBits, Parity, StopBits);
  if R = CONCERT_RESULT_OK then
    R := concert_terminal_config_set_protocol_name(C, PAnsiChar(UTF8Encode(Protocol)));
  FHandle := NewTerminal(C, R);
end;

destructor TConcertTerminal.Destroy;
begin
  concert_terminal_free(FHandle);
  inherited Destroy;
end;

function TConcertTerminal.Pay(Amount: UInt64; const Currency: string): TConcertOutcome;
var
  O: PConcertOutcome;
begin
  Check(concert_terminal_pay(FHandle, Amount, PAnsiChar(AnsiString(Currency)), O));
  Result := TConcertOutcome.Create(O);
end;

function TConcertTerminal.PayDecimal(const Amount, Currency: string): TConcertOutcome;
var
  Req: PConcertRequest;
  O: PConcertOutcome;
  R: TConcertResult;
begin
  Raise_(concert_request_new(CONCERT_OPERATION_PAY, Req), 'concert_request_new');
  try
    R := concert_request_set_amount_decimal(Req, PAnsiChar(AnsiString(Amount)), PAnsiChar(AnsiString(Currency)));
    Raise_(R, ConcertLastError(Req, TLastErrorFunc(@concert_request_last_error)));
    Check(concert_terminal_transact(FHandle, Req, O));
  finally
    concert_request_free(Req);
  end;
  Result := TConcertOutcome.Create(O);
end;

procedure TConcertTerminal.SubmitPayPolled(Amount: UInt64; const Currency: string);
var
  Req: PConcertRequest;
  R: TConcertResult;
begin
  Raise_(concert_request_new(CONCERT_OPERATION_PAY, Req), 'concert_request_new');
  try
    R := concert_request_set_amount(Req, Amount);
    if R = CONCERT_RESULT_OK then
      R := concert_request_set_currency(Req, PAnsiChar(AnsiString(Currency)));
    Raise_(R, ConcertLastError(Req, TLastErrorFunc(@concert_request_last_error)));
    Check(concert_terminal_submit_polled(FHandle, Req));
  finally
    concert_request_free(Req);
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

procedure TConcertTerminal.Cancel;
begin
  Check(concert_terminal_cancel(FHandle));
end;

function TConcertTerminal.Busy: Boolean;
begin
  Result := concert_terminal_is_busy(FHandle) = 1;
end;

{ TConcertSimulator }

constructor TConcertSimulator.CreateTcp(const Script: string);
var
  C: PConcertSimulatorConfig;
  R: TConcertResult;
begin
  inherited Create;
  Raise_(concert_simulator_config_new(C), 'concert_simulator_config_new');
  try
    R := concert_simulator_config_set_transport(C, CONCERT_SIM_TRANSPORT_TCP, 0);
    if R = CONCERT_RESULT_OK then
      R := concert_simulator_config_set_default_script_name(C, PAnsiChar(AnsiString(Script)));
    if R = CONCERT_RESULT_OK then
      R := concert_simulator_start(C, FHandle);
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
  Raise_(concert_simulator_port(FHandle, Result),
    ConcertLastError(FHandle, TLastErrorFunc(@concert_simulator_last_error)));
end;

procedure TConcertSimulator.PushScript(const Name: string);
begin
  Raise_(concert_simulator_push_script_name(FHandle, PAnsiChar(AnsiString(Name))),
    ConcertLastError(FHandle, TLastErrorFunc(@concert_simulator_last_error)));
end;

end.
