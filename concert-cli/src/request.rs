//! Request flags into a `Request`: amounts parsed exactly against the
//! currency, names through the core's own parsers.

use concert_core::amount::parse_decimal;
use concert_core::currency::Currency;
use concert_core::terminal::{Application, Operation, ReceiptWanted, Request, TerminalConfig};
use concert_core::v3::{Action, ReceiptCopy, ReceiptFormat, Tag, TicketRequest};

use crate::cli::MoneyArgs;
use crate::exit::CliError;

/// The currency named by `--currency`.
pub fn currency(text: &str) -> Result<Currency, CliError> {
    Currency::parse(text).map_err(|e| CliError::flag("--currency", e))
}

/// `--amount` in minor units of `--currency`, parsed exactly.
pub fn amount(args: &MoneyArgs) -> Result<(u64, Currency), CliError> {
    let currency = currency(&args.currency)?;
    let amount =
        parse_decimal(&args.amount, currency).map_err(|e| CliError::flag("--amount", e))?;
    if amount == 0 {
        return Err(CliError::flag(
            "--amount",
            format!("amount {:?} must be greater than zero", args.amount),
        ));
    }
    Ok((amount, currency))
}

/// A money-moving request from its flags.
pub fn money(
    operation: Operation,
    args: &MoneyArgs,
    config: &TerminalConfig,
) -> Result<Request, CliError> {
    let (amount, currency) = amount(args)?;
    let mut request = Request::new(operation);
    request.amount = Some(amount);
    request.currency = Some(currency);
    request.private_data = args.private_data.clone();
    request.immediate_answer = args.immediate;
    request.force_authorization = args.force_authorization;
    request.full_answer = !args.short_answer;
    request.original_reference = args.reference.clone();
    let v2 = config.protocol.is_v2();
    if args.cheque {
        request.application = Some(Application::Cheque);
    } else if let Some(app) = &args.application {
        request.application = Some(application(app, v2)?);
    }
    if let Some(copy) = &args.receipt {
        let copy: ReceiptCopy = copy.parse().map_err(|e| CliError::flag("--receipt", e))?;
        let format: ReceiptFormat = args
            .receipt_format
            .parse()
            .map_err(|e| CliError::flag("--receipt-format", e))?;
        request.receipt = Some(ReceiptWanted { copy, format });
    }
    if v2 {
        let v3_only = [
            ("--receipt", args.receipt.is_some()),
            ("--reference", args.reference.is_some()),
        ];
        if let Some((flag, _)) = v3_only.iter().find(|(_, given)| *given) {
            return Err(CliError::flag(
                flag,
                "V3 only: the V2 protocol cannot carry it",
            ));
        }
    }
    Ok(request)
}

fn application(text: &str, v2: bool) -> Result<Application, CliError> {
    Ok(match text.to_ascii_lowercase().as_str() {
        "any" => Application::Any,
        "card" => Application::Card,
        "cheque" | "check" => Application::Cheque,
        "amex" => Application::Amex,
        _ if v2 && text.len() == 1 && text.as_bytes()[0].is_ascii_alphanumeric() => {
            Application::V2Mode(text.as_bytes()[0])
        }
        _ if !v2 && text.len() == 3 && text.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            Application::V3Code(text.to_ascii_uppercase())
        }
        _ => {
            return Err(CliError::flag(
                "--application",
                format!(
                    "unknown application {text:?}: expected any, card, cheque, amex, or a {}",
                    if v2 {
                        "one-character V2 payment mode"
                    } else {
                        "three-character V3 CC code"
                    }
                ),
            ));
        }
    })
}

/// A raw V3 request from `TAG=VALUE` records. The tags the request model
/// knows fill its fields (so the encoder keeps its checks); the rest are
/// sent as given, in order.
pub fn from_tags(tags: &[String], config: &mut TerminalConfig) -> Result<Request, CliError> {
    if config.protocol.is_v2() {
        return Err(CliError::flag(
            "--tag",
            "raw tags are V3 records: use --protocol v3",
        ));
    }
    let mut request = Request::new(Operation::Identify);
    let mut action = None;
    let mut amount_text = None;
    let mut seen: Vec<Tag> = Vec::with_capacity(tags.len());
    for item in tags {
        let (tag, value) = item.split_once('=').ok_or_else(|| {
            CliError::flag("--tag", format!("{item:?} is not TAG=VALUE (e.g. CD=0)"))
        })?;
        let tag = Tag::parse(tag).map_err(|_| {
            CliError::flag(
                "--tag",
                format!("{tag:?} is not a V3 tag (two capital letters)"),
            )
        })?;
        // The known tags fill fields, where a second value would silently
        // replace the first (CD=0 then CD=1 would send a refund): refused
        // with the encoder's own rule.
        if seen.contains(&tag) {
            return Err(CliError::flag(
                "--tag",
                concert_core::terminal::RequestError::Record(
                    concert_core::v3::EncodeError::DuplicateTag(tag),
                ),
            ));
        }
        seen.push(tag);
        let bad = |why: &str| CliError::flag("--tag", format!("{tag}={value:?}: {why}"));
        match tag.as_str() {
            "CD" => match value.as_bytes() {
                [code] => action = Some(Action::from_code(*code)),
                _ => return Err(bad("the action is one character")),
            },
            "CB" => amount_text = Some(value.to_owned()),
            "CE" => {
                let c = Currency::parse(value).map_err(|e| bad(&e.to_string()))?;
                request.currency = Some(c);
            }
            "CZ" => {
                config.protocol = concert_core::terminal::Protocol::V3 {
                    version: value.to_owned(),
                }
            }
            "CJ" => config.cash_register_id = value.to_owned(),
            "CA" => {
                config.pos_number = crate::target::parse_number("--tag", value, "CA", (1u8, 99u8))?
            }
            "CF" => request.private_data = Some(value.to_owned()),
            "CC" => request.application = Some(Application::V3Code(value.to_owned())),
            "CH" => request.original_reference = Some(value.to_owned()),
            "BA" => {
                request.immediate_answer = flag_value(value).ok_or_else(|| bad("use 0 or 1"))?
            }
            "BB" => {
                request.force_authorization = flag_value(value).ok_or_else(|| bad("use 0 or 1"))?
            }
            "BF" => {
                request.partial_allowed = Some(flag_value(value).ok_or_else(|| bad("use 0 or 1"))?)
            }
            "BH" => request.customer_phone = Some(value.to_owned()),
            "BI" => request.customer_email = Some(value.to_owned()),
            "CK" => {
                let t = TicketRequest::from_code(value.as_bytes())
                    .ok_or_else(|| bad("a ticket request is 1 + copy (0-2) + format (0-1)"))?;
                request.receipt = Some(ReceiptWanted {
                    copy: t.copy,
                    format: t.format,
                });
            }
            _ => request.extra_tags.push((tag, value.to_owned())),
        }
    }
    let action = action
        .ok_or_else(|| CliError::flag("--tag", "CD (the action) is required, e.g. --tag CD=0"))?;
    request.operation = match action {
        Action::Debit => Operation::Pay,
        Action::Credit => Operation::Refund,
        Action::Cancellation => Operation::Cancel,
        Action::Preauthorization => Operation::Preauthorize,
        Action::Identification => Operation::Identify,
        Action::Status => Operation::Status,
        Action::Settlement => Operation::Settle,
        other => Operation::Action(other),
    };
    if let Some(cb) = amount_text {
        if !request.operation.moves_money() {
            request.extra_tags.push((
                Tag::parse("CB").map_err(|_| CliError::flag("--tag", "CB"))?,
                cb,
            ));
        } else if cb.is_empty() || cb.len() > 12 || !cb.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CliError::flag(
                "--tag",
                format!("CB={cb:?}: minor units, 1 to 12 digits"),
            ));
        } else {
            request.amount = Some(
                cb.parse()
                    .map_err(|_| CliError::flag("--tag", "CB too large"))?,
            );
        }
    }
    if request.operation.moves_money() && request.currency.is_none() {
        request.currency = Some(concert_core::currency::EUR);
    }
    config.validate().map_err(|e| CliError::flag("--tag", e))?;
    Ok(request)
}

fn flag_value(v: &str) -> Option<bool> {
    match v {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    }
}

/// Encodes the request once before anything is opened, so what the
/// protocol cannot carry is a usage error naming the flag at fault.
pub fn check_encodable(
    config: &TerminalConfig,
    request: &Request,
    raw_tags: bool,
) -> Result<(), CliError> {
    use concert_core::terminal::RequestError as E;
    let Err(e) = concert_core::terminal::encode_request(config, request) else {
        return Ok(());
    };
    let flag = if raw_tags {
        "--tag"
    } else {
        match &e {
            E::TooLong { field, .. } | E::NotAscii { field, .. } => match *field {
                "private data" => "--private-data",
                "original reference" => "--reference",
                _ => "--protocol",
            },
            E::AmountRequired(_) | E::AmountZero | E::AmountTooLarge { .. } | E::Amount(_) => {
                "--amount"
            }
            E::CurrencyRequired(_) | E::Currency(_) => "--currency",
            E::Unsupported { what, .. } if what.starts_with("application") => "--application",
            _ => "--protocol",
        }
    };
    Err(CliError::flag(flag, e))
}
