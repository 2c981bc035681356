{ A payment from Delphi, the way a till does it: the terminal's address
  from the command line (or a built-in simulator with none), the payment
  run in the background and polled as a VCL TTimer would, the outcome's
  receipt printed.

    ConcertPay                      against a simulated terminal
    ConcertPay 192.168.1.50 8888    V3 over TCP
    ConcertPay COM3                 V2 E+ over a serial port

  Build: dcc32 / dcc64 ConcertPay.dpr (with Concert.pas on the unit path,
  concert.dll of the same bitness beside the .exe), or
  fpc -Mdelphiunicode -Fu.. ConcertPay.dpr. }
program ConcertPay;

{$APPTYPE CONSOLE}
{$IFDEF FPC}
  {$MODE DELPHIUNICODE}
  {$WARN 4104 OFF}
  {$WARN 4105 OFF}
{$ENDIF}

uses
  SysUtils, Concert;

var
  Sim: TConcertSimulator;
  Terminal: TConcertTerminal;
  Request: TConcertRequest;
  Event: TConcertEvent;
  Outcome: TConcertOutcome;
  Tick: Integer;
begin
  Sim := nil;
  Outcome := nil;
  try
    if ParamCount >= 2 then
      Terminal := TConcertTerminal.CreateTcp(ParamStr(1), StrToInt(ParamStr(2)))
    else if ParamCount = 1 then
      Terminal := TConcertTerminal.CreateSerial(ParamStr(1), 'v2e+', 9600, 7, CONCERT_PARITY_EVEN, 1)
    else
    begin
      Sim := TConcertSimulator.CreateTcp('approve');
      Terminal := TConcertTerminal.CreateTcp('127.0.0.1', Sim.Port);
    end;
    Request := TConcertRequest.Create(CONCERT_OPERATION_PAY);
    try
      Request.SetAmountDecimal('12.50', 'EUR');
      Request.SetReceipt(CONCERT_RECEIPT_COPY_CUSTOMER, CONCERT_RECEIPT_FORMAT_TEXT);
      Terminal.Submit(Request);
    finally
      Request.Free;
    end;
    { A TTimer's OnTimer: take what is there, never block the GUI. The
      Cancel button would call Terminal.CancelRunning. }
    for Tick := 1 to 6000 do
    begin
      Event := Terminal.NextEvent(50);
      if Event = nil then
        Continue;
      try
        if Event.IsDone then
        begin
          Outcome := Event.TakeOutcome;
          Break;
        end;
        WriteLn('progress: event ', Event.Kind);
      finally
        Event.Free;
      end;
    end;
    if Outcome = nil then
      WriteLn('no outcome yet: the payment is still running')
    else
    begin
      WriteLn(Outcome.StatusName, ', ', Outcome.Amount, ' cents, card ', Outcome.CardNumber);
      if Outcome.IsInDoubt then
        WriteLn('in doubt: ask the terminal (Status) before paying again');
      WriteLn(Outcome.ReceiptText);
      Outcome.Free;
    end;
    Terminal.Free;
    Sim.Free;
  except
    on E: EConcert do
    begin
      WriteLn('failed: ', E.Message);
      if E.SafeToRetry then
        WriteLn('nothing reached the terminal: safe to try again');
      ExitCode := 1;
    end;
    on E: EConcertLibrary do
    begin
      WriteLn(E.Message);
      ExitCode := 2;
    end;
  end;
end.
