//! Tickets (receipts) the simulated terminal prints: generated text, or
//! the configured one, fitted into one `ZT` record.

use crate::amount::format_decimal;
use crate::currency::Currency;
use crate::v3::receipt::{ReceiptError, encode_ticket};
use crate::v3::tlv::MAX_VALUE_LEN;
use crate::v3::{Action, ReceiptCopy, ReceiptFormat, TicketRequest};

/// Card application identifier printed on tickets and sent in `AI`.
pub(crate) const AID: &str = "A0000000421010";
/// Largest ticket text that still fits one `ZT` record: `AK` may hold
/// 999 - 8 (`CK003xxx`) - 5 (`AK` header) = 986 base64 characters.
const MAX_TICKET_BYTES: usize = (MAX_VALUE_LEN - 13) / 4 * 3;

/// What a generated ticket shows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TicketDetails<'a> {
    /// The operation.
    pub action: Action,
    /// Authorised amount, minor units.
    pub amount: u64,
    /// ISO 4217 numeric currency.
    pub currency: u16,
    /// Card number, already masked.
    pub masked_card: &'a str,
    /// Authorisation number.
    pub authorization: &'a str,
}

/// The values of the `ZT` records for `request`: one ticket, or with both
/// copies asked for, one `ZT` per copy (customer's, then merchant's), as a
/// terminal printing two tickets sends them. Each is the `custom` text if
/// given, else a generated ticket, cut to fit one record; a ticket that
/// cannot be built is left out (logged).
pub(crate) fn build(
    request: TicketRequest,
    custom: Option<&str>,
    details: &TicketDetails<'_>,
) -> Vec<Vec<u8>> {
    let copies = match request.copy {
        ReceiptCopy::Both => vec![ReceiptCopy::Customer, ReceiptCopy::Merchant],
        one => vec![one],
    };
    copies
        .into_iter()
        .filter_map(|copy| {
            let one = TicketRequest {
                copy,
                format: request.format,
            };
            build_one(one, custom, details)
        })
        .collect()
}

fn build_one(
    request: TicketRequest,
    custom: Option<&str>,
    details: &TicketDetails<'_>,
) -> Option<Vec<u8>> {
    let text = match custom {
        Some(text) => text.to_owned(),
        None => {
            let text = ticket_text(details, request.copy);
            match request.format {
                ReceiptFormat::Text => text,
                ReceiptFormat::Html => format!("<html><body><pre>\n{text}</pre></body></html>"),
            }
        }
    };
    let result = match encode_ticket(request, &text) {
        Err(ReceiptError::TooLong(len)) => {
            log::info!(
                "sim: ticket of {len} bytes does not fit one ZT record: cut to {MAX_TICKET_BYTES}"
            );
            encode_ticket(request, truncate_bytes(&text, MAX_TICKET_BYTES))
        }
        other => other,
    };
    result
        .map_err(|e| log::warn!("sim: ticket left out: {e}"))
        .ok()
}

/// The longest prefix of `text` of at most `max` bytes, cut on a
/// character boundary.
fn truncate_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// An amount as a ticket shows it: `12,50 EUR` (the currency's own number
/// of decimals; unknown currencies get 2 and their numeric code).
pub(crate) fn format_ticket_amount(amount: u64, currency: u16) -> String {
    match Currency::from_numeric(currency) {
        // French tickets write the decimal separator as a comma.
        Ok(c) => format!(
            "{} {}",
            format_decimal(amount, c).replace('.', ","),
            c.alpha()
        ),
        Err(_) => format!(
            "{} {currency:03}",
            format_decimal(amount, crate::currency::EUR).replace('.', ",")
        ),
    }
}

/// The generated ticket text.
fn ticket_text(details: &TicketDetails<'_>, copy: ReceiptCopy) -> String {
    let TicketDetails {
        action,
        amount,
        currency,
        masked_card,
        authorization,
    } = *details;
    let operation = match action {
        Action::Credit => "CREDIT",
        Action::Cancellation => "ANNULATION",
        Action::Preauthorization => "PRE-AUTORISATION",
        _ => "DEBIT",
    };
    let copy = match copy {
        ReceiptCopy::Customer => "TICKET CLIENT",
        ReceiptCopy::Merchant => "TICKET COMMERCANT",
        ReceiptCopy::Both => "TICKET CLIENT / COMMERCANT",
    };
    format!(
        "CONCERT SIMULATEUR\nCOMMERCANT DE TEST\nCARTE BANCAIRE\n{AID}\n{masked_card}\n{operation}\nMONTANT {}\nAUTORISATION {authorization}\n{copy}\n",
        format_ticket_amount(amount, currency)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_amounts_use_the_currency_exponent() {
        assert_eq!(format_ticket_amount(1250, 978), "12,50 EUR");
        assert_eq!(format_ticket_amount(5, 978), "0,05 EUR");
        assert_eq!(format_ticket_amount(1250, 953), "1250 XPF");
        assert_eq!(format_ticket_amount(1250, 400), "1,250 JOD");
    }

    #[test]
    fn long_texts_are_cut_to_fit() {
        let request = TicketRequest {
            copy: ReceiptCopy::Customer,
            format: ReceiptFormat::Html,
        };
        let details = TicketDetails {
            action: Action::Debit,
            amount: 1250,
            currency: 978,
            masked_card: "497010######7894",
            authorization: "100001",
        };
        let long = "\u{e9}".repeat(600);
        let zt = build(request, Some(&long), &details);
        assert_eq!(zt.len(), 1);
        assert!(zt[0].len() <= MAX_VALUE_LEN);
        let both = TicketRequest {
            copy: ReceiptCopy::Both,
            format: ReceiptFormat::Text,
        };
        let zts = build(both, None, &details);
        assert_eq!(zts.len(), 2);
        assert!(zts[0].starts_with(b"CK003100") && zts[1].starts_with(b"CK003110"));
        assert_eq!(truncate_bytes("\u{e9}\u{e9}", 3), "\u{e9}");
        let text = ticket_text(&details, ReceiptCopy::Merchant);
        assert!(text.contains("TICKET COMMERCANT") && text.contains("12,50 EUR"));
    }
}
