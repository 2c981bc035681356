//! Request flags into a `Request`: amounts parsed exactly against the
//! currency, names through the core's own parsers.

use concert_core::amount::parse_decimal;
use concert_core::currency::Currency;
use concert_core::terminal::{
    Application, Operation, Protocol, ReceiptWanted, Request, TerminalConfig,
};
use concert_core::v3::{ReceiptCopy, ReceiptFormat, Tag};

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
        request.application = Some(
            app.parse::<Application>()
                .map_err(|e| CliError::flag("--application", e))?,
        );
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

/// A raw V3 request from `TAG=VALUE` records, read by the core; what the
/// records say about the configuration (`CZ`, `CJ`, `CA`) is applied to it.
pub fn from_tags(tags: &[String], config: &mut TerminalConfig) -> Result<Request, CliError> {
    if config.protocol.is_v2() {
        return Err(CliError::flag(
            "--tag",
            "raw tags are V3 records: use --protocol v3",
        ));
    }
    let records = tags
        .iter()
        .map(|item| {
            let (tag, value) = item.split_once('=').ok_or_else(|| {
                CliError::flag("--tag", format!("{item:?} is not TAG=VALUE (e.g. CD=0)"))
            })?;
            let tag = Tag::parse(tag).map_err(|_| {
                CliError::flag(
                    "--tag",
                    format!("{tag:?} is not a V3 tag (two capital letters)"),
                )
            })?;
            Ok((tag, value.to_owned()))
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let (request, settings) =
        Request::from_v3_records(&records).map_err(|e| CliError::flag("--tag", e))?;
    if let Some(version) = settings.version {
        config.protocol = Protocol::V3 { version };
    }
    if let Some(id) = settings.cash_register_id {
        config.cash_register_id = id;
    }
    if let Some(pos) = settings.pos_number {
        config.pos_number = pos;
    }
    config.validate().map_err(|e| CliError::flag("--tag", e))?;
    Ok(request)
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
