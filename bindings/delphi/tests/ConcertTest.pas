{ The Delphi binding against the simulator: approved, declined, and a
  result delivered through the polling API (no foreign thread). Prints
  PASS/FAIL per case and "N passed, M failed". }
program ConcertTest;

{$IFDEF FPC}{$MODE DELPHI}{$ENDIF}

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
  Passed := 0;
  Failed := 0;
  Run('payment_approved', PaymentApproved);
  Run('payment_declined', PaymentDeclined);
  Run('errors_raise', ErrorsRaise);
  Run('async_through_polling', AsyncThroughPolling);
  WriteLn(Passed, ' passed, ', Failed, ' failed');
  if Failed > 0 then
    Halt(1);
end.
