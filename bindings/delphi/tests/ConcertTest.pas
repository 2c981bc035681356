{ The Delphi binding against the simulator: approved, declined, every
  operation of the class, a receipt in French with the euro sign read back
  on a code page 1252 system, request options, a result delivered through
  the polling API (no foreign thread), COM port names. Prints PASS/FAIL
  per case and "N passed, M failed". The source is ASCII on purpose: a
  Delphi source without a BOM is read in the machine's code page. }
program ConcertTest;

{$IFDEF FPC}
  {$MODE DELPHIUNICODE}
  { FPC 3.2's RTL (IntToStr, Exception.Message) is AnsiString. }
  {$WARN 4104 OFF}
{$ENDIF}

uses
  SysUtils, Concert;

var
  Passed, Failed: Integer;

procedure Report(const Name: string; Ok: Boolean; const Detail: string);
begin
  if Ok then
  begin
    WriteLn('PASS ', Name);
    Inc(Passed);
  end
  else
  begin
    WriteLn('    ', Detail);
    WriteLn('FAIL ', Name);
    Inc(Failed);
  end;
  Flush(Output);
end;

procedure PaymentApproved;
var
  Sim: TConcertSimulator;
  Terminal: TConcertTerminal;
  Outcome: TConcertOutcome;
  Ok: Boolean;
begin
  Sim := TConcertSimulator.CreateTcp('approve');
  Terminal := TConcertTerminal.CreateTcp('127.0.0.1', Sim.Port);
  Outcome := Terminal.PayDecimal('12.50', 'EUR');
  Ok := (Outcome.Status = CONCERT_STATUS_APPROVED) and (Outcome.Amount = 1250) and not Outcome.Partial
    and (Outcome.StatusName = 'approved') and (Pos('#', Outcome.CardNumber) > 0)
    and (Pos('4970101234567894', Outcome.CardNumber) = 0) and (Outcome.Rec('AE') = '10');
  Report('payment_approved', Ok, 'status ' + Outcome.StatusName + ', card ' + Outcome.CardNumber);
  Outcome.Free;
  Terminal.Free;
  Sim.Free;
end;

procedure PaymentDeclined;
var
  Sim: TConcertSimulator;
  Terminal: TConcertTerminal;
  Outcome: TConcertOutcome;
begin
  Sim := TConcertSimulator.CreateTcp('approve');
  Sim.PushScript('decline:05');
  Terminal := TConcertTerminal.CreateTcp('127.0.0.1', Sim.Port);
  Outcome := Terminal.Pay(990, 'EUR');
  Report('payment_declined', (Outcome.Status = CONCERT_STATUS_DECLINED) and (Outcome.ReasonCode = '05'),
    'status ' + Outcome.StatusName);
  Outcome.Free;
  Terminal.Free;
  Sim.Free;
end;

procedure ErrorsRaise;
var
  Terminal: TConcertTerminal;
  Code: Cardinal;
begin
  Code := 0;
  try
    Terminal := TConcertTerminal.CreateTcp('127.0.0.1', 0);
    Terminal.Free;
  except
    on E: EConcert do
      Code := E.Code;
  end;
  Report('errors_raise', Code = CONCERT_RESULT_INVALID_ARGUMENT, 'code ' + IntToStr(Code));
end;

procedure AsyncThroughPolling;
var
  Sim: TConcertSimulator;
  Terminal: TConcertTerminal;
  Event: TConcertEvent;
  Outcome: TConcertOutcome;
  Progress, I: Integer;
  Status: Cardinal;
begin
  Sim := TConcertSimulator.CreateTcp('approve');
  Terminal := TConcertTerminal.CreateTcp('127.0.0.1', Sim.Port);
  Terminal.SubmitPayPolled(4200, 'EUR');
  Progress := 0;
  Status := 0;
  { What a VCL TTimer would do: poll without blocking the GUI for long. }
  for I := 1 to 200 do
  begin
    Event := Terminal.NextEvent(50);
    if Event = nil then
      Continue;
    try
      if Event.IsDone then
      begin
        Outcome := Event.TakeOutcome;
        Status := Outcome.Status;
        Outcome.Free;
        Break;
      end;
      Inc(Progress);
    finally
      Event.Free;
    end;
  end;
  Report('async_through_polling', (Status = CONCERT_STATUS_APPROVED) and (Progress >= 2),
    'status ' + IntToStr(Status) + ', progress events ' + IntToStr(Progress));
  Terminal.Free;
  Sim.Free;
end;

{ "à bientôt" and "€", by code point: #$E0 would be a byte to FPC but a
  character to Delphi, WideChar($E0) is the character to both. }
function ABientot: string;
begin
  Result := WideChar($E0) + ' bient' + WideChar($F4) + 't';
end;

function CodePoints(const S: string): string;
var
  I: Integer;
begin
  Result := '';
  for I := 1 to Length(S) do
    Result := Result + ' ' + IntToHex(Ord(S[I]), 4);
end;

function Euro: string;
begin
  Result := WideChar($20AC);
end;

{ A paid receipt of the given format, from a simulator printing Text. }
function PaidReceipt(const Text: string; Format: Cardinal): string;
var
  Sim: TConcertSimulator;
  Terminal: TConcertTerminal;
  Request: TConcertRequest;
  Outcome: TConcertOutcome;
begin
  Sim := TConcertSimulator.CreateTcp('approve', Text);
  Terminal := TConcertTerminal.CreateTcp('127.0.0.1', Sim.Port);
  Request := TConcertRequest.Create(CONCERT_OPERATION_PAY);
  Request.SetAmountDecimal('12.50', 'EUR');
  Request.SetReceipt(CONCERT_RECEIPT_COPY_CUSTOMER, Format);
  Outcome := Terminal.Transact(Request);
  Result := Outcome.ReceiptText;
  Outcome.Free;
  Request.Free;
  Terminal.Free;
  Sim.Free;
end;

{ The DLL hands out UTF-8 whatever the ticket's own character set (text
  tickets are Latin-1 on the wire, which has no euro sign; HTML ones
  UTF-8): both must read back intact on a code page 1252 Windows. }
procedure ReceiptIsUtf8;
var
  Text, Html: string;
begin
  Text := PaidReceipt('MERCI ' + ABientot, CONCERT_RECEIPT_FORMAT_TEXT);
  Html := PaidReceipt('<p>' + ABientot + ' - 12,50 ' + Euro + '</p>', CONCERT_RECEIPT_FORMAT_HTML);
  Report('receipt_is_utf8', (Text = 'MERCI ' + ABientot)
    and (Html = '<p>' + ABientot + ' - 12,50 ' + Euro + '</p>'),
    'code page ' + IntToStr(DefaultSystemCodePage) + ', text' + CodePoints(Text) + ', html' + CodePoints(Html));
end;

procedure EveryOperation;
var
  Sim: TConcertSimulator;
  Terminal: TConcertTerminal;
  Options: TConcertTerminalOptions;
  O: array[0..6] of TConcertOutcome;
  I: Integer;
  At: UInt64;
  Ok: Boolean;
begin
  Sim := TConcertSimulator.CreateTcp('approve');
  FillChar(Options, SizeOf(Options), 0);
  Options.PosNumber := 7;
  Options.ConnectTimeoutMs := 2000;
  Options.AnswerTimeoutMs := 60000;
  Options.QueryTimeoutMs := 5000;
  Terminal := TConcertTerminal.CreateTcp('127.0.0.1', Sim.Port, Options);
  O[0] := Terminal.Pay(1000, 'EUR');
  O[1] := Terminal.Refund(200, 'EUR');
  O[2] := Terminal.Cancel(1000, 'EUR');
  O[3] := Terminal.Preauthorize(5000, 'EUR');
  O[4] := Terminal.Status;
  O[5] := Terminal.Identify;
  O[6] := Terminal.Settle;
  Ok := (O[0].Operation = CONCERT_OPERATION_PAY) and (O[1].Operation = CONCERT_OPERATION_REFUND)
    and (O[2].Operation = CONCERT_OPERATION_CANCEL) and (O[3].Operation = CONCERT_OPERATION_PREAUTHORIZE)
    and (O[4].Operation = CONCERT_OPERATION_STATUS) and (O[5].Operation = CONCERT_OPERATION_IDENTIFY)
    and (O[6].Operation = CONCERT_OPERATION_SETTLE) and O[0].IsApproved and (O[1].Amount = 200)
    and (Sim.RequestCount = 7) and (Terminal.Handle <> nil)
    and (O[0].LateAnswerCount = 0) and (Terminal.TakeLateAnswer(At) = nil);
  Report('every_operation', Ok, 'operations ' + IntToStr(O[0].Operation) + ' ' + IntToStr(O[6].Operation)
    + ', requests ' + IntToStr(Sim.RequestCount));
  for I := 0 to 6 do
    O[I].Free;
  Terminal.Free;
  Sim.Free;
end;

procedure RequestOptions;
var
  Sim: TConcertSimulator;
  Terminal: TConcertTerminal;
  Request: TConcertRequest;
  Outcome: TConcertOutcome;
  Code: Cardinal;
begin
  Sim := TConcertSimulator.CreateTcp('approve');
  Terminal := TConcertTerminal.CreateTcp('127.0.0.1', Sim.Port);
  Request := TConcertRequest.Create(CONCERT_OPERATION_PAY);
  Request.SetAmountDecimal('7.30', 'EUR');
  Request.SetPrivateData('TICKET-0042');
  Request.SetReceipt(CONCERT_RECEIPT_COPY_CUSTOMER, CONCERT_RECEIPT_FORMAT_TEXT);
  Request.SetFullAnswer(True);
  Code := 0;
  try
    Request.SetReceipt(CONCERT_RECEIPT_COPY_BOTH, 9);
  except
    on E: EConcert do
      Code := E.Code;
  end;
  Outcome := Terminal.Transact(Request);
  Report('request_options', (Outcome.Amount = 730) and (Outcome.PrivateData = 'TICKET-0042')
    and (Code = CONCERT_RESULT_INVALID_ARGUMENT) and (Request.Handle <> nil) and (Outcome.Handle <> nil),
    'private data ' + Outcome.PrivateData + ', code ' + IntToStr(Code));
  Outcome.Free;
  Request.Free;
  Terminal.Free;
  Sim.Free;
end;

procedure ComPortNames;
var
  Terminal: TConcertTerminal;
  Ok: Boolean;
begin
  { Opened on first use: naming a port that is not there is no error yet. }
  Terminal := TConcertTerminal.CreateSerial('COM3', 'v2e+', 9600, 7, CONCERT_PARITY_EVEN, 1);
  Ok := Terminal.Handle <> nil;
  Terminal.Free;
  Terminal := TConcertTerminal.CreateSerial('\\.\COM10', 'v3', 9600, 8, CONCERT_PARITY_NONE, 1);
  Ok := Ok and (Terminal.Handle <> nil);
  Terminal.Free;
  Report('com_port_names', Ok, '');
end;

procedure Run(const Name: string; Test: TProcedure);
begin
  try
    Test;
  except
    on E: Exception do
      Report(Name, False, 'exception: ' + E.Message);
  end;
end;

begin
  { A French Windows: what string(AnsiString(P)) would have decoded with. }
  DefaultSystemCodePage := 1252;
  Passed := 0;
  Failed := 0;
  Run('payment_approved', PaymentApproved);
  Run('payment_declined', PaymentDeclined);
  Run('errors_raise', ErrorsRaise);
  Run('async_through_polling', AsyncThroughPolling);
  Run('receipt_is_utf8', ReceiptIsUtf8);
  Run('every_operation', EveryOperation);
  Run('request_options', RequestOptions);
  Run('com_port_names', ComPortNames);
  WriteLn(Passed, ' passed, ', Failed, ' failed');
  if Failed > 0 then
    Halt(1);
end.
