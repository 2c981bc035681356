//! A request as the JavaScript layer hands it over → the core's `Request`.
//! JavaScript types (integer numbers, bigints) are checked in `lib/`; what
//! is checked here is what only the core knows (currencies, decimals).

use concert_core::amount::parse_decimal;
use concert_core::currency::Currency;
use concert_core::terminal::{Application, Operation, ReceiptWanted, Request};
use concert_core::v3::{ReceiptCopy, ReceiptFormat, Tag};
use napi::bindgen_prelude::BigInt;
use napi_derive::napi;

use crate::error::{Result, invalid};

/// A request with its amount already split by kind: integer minor units
/// (`amountMinor`) or a decimal string (`amountDecimal`), never both.
#[napi(object, object_to_js = false)]
pub struct NativeRequest {
    /// `pay`, `refund`, `cancel`, `preauthorize`, `identify`, `status`, `settle`.
    pub operation: String,
    /// Amount in integer minor units.
    pub amount_minor: Option<BigInt>,
    /// Amount as a decimal string in the currency's major unit (`"12.50"`).
    pub amount_decimal: Option<String>,
    /// ISO 4217 alphabetic or numeric code.
    pub currency: Option<String>,
    /// Private data / merchant reference, echoed by the terminal.
    pub private_data: Option<String>,
    /// Payment application (`card`, `cheque`, `amex` …, `v3:CODE`, `v2:C`).
    pub application: Option<String>,
    /// Ask for an immediate answer (outcome `pending`).
    pub immediate_answer: Option<bool>,
    /// Force online authorisation.
    pub force_authorization: Option<bool>,
    /// Ticket wanted: `customer`, `merchant` or `both` (V3).
    pub receipt: Option<String>,
    /// Ticket format: `text` (default) or `html`.
    pub receipt_format: Option<String>,
    /// Original transaction reference for a cancellation (V3 `CH`).
    pub original_reference: Option<String>,
    /// Partial payment allowed (V3 `BF`).
    pub partial_allowed: Option<bool>,
    /// Customer phone (V3 `BH`).
    pub customer_phone: Option<String>,
    /// Customer e-mail (V3 `BI`).
    pub customer_email: Option<String>,
    /// Extra V3 records, as `[tag, value]` pairs.
    pub extra_tags: Option<Vec<Vec<String>>>,
    /// V2: ask for the 80-character answer with card data (default true).
    pub full_answer: Option<bool>,
}

fn minor_units(amount: &BigInt) -> Result<u64> {
    let (negative, value, lossless) = amount.get_u64();
    if negative || !lossless {
        return Err(invalid(
            "amount must be a whole number of minor units from 0 to 2^64-1",
        ));
    }
    Ok(value)
}

impl NativeRequest {
    /// The core request, or an invalid-request error.
    pub fn to_core(&self) -> Result<Request> {
        let operation: Operation = self.operation.parse().map_err(invalid)?;
        let mut request = Request::new(operation);
        request.currency = self
            .currency
            .as_deref()
            .map(Currency::parse)
            .transpose()
            .map_err(invalid)?;
        request.amount = match (&self.amount_minor, &self.amount_decimal) {
            (Some(_), Some(_)) => {
                return Err(invalid("give the amount once: minor units or decimal"));
            }
            (Some(minor), None) => Some(minor_units(minor)?),
            (None, Some(decimal)) => {
                let currency = request.currency.ok_or_else(|| {
                    invalid(format!(
                        "{} needs a currency to read the decimal amount {decimal:?}",
                        operation.name()
                    ))
                })?;
                Some(parse_decimal(decimal, currency).map_err(invalid)?)
            }
            (None, None) => None,
        };
        request.private_data = self.private_data.clone();
        request.application = self
            .application
            .as_deref()
            .map(str::parse::<Application>)
            .transpose()
            .map_err(invalid)?;
        request.immediate_answer = self.immediate_answer.unwrap_or(false);
        request.force_authorization = self.force_authorization.unwrap_or(false);
        request.receipt = self.receipt_wanted()?;
        request.original_reference = self.original_reference.clone();
        request.partial_allowed = self.partial_allowed;
        request.customer_phone = self.customer_phone.clone();
        request.customer_email = self.customer_email.clone();
        for pair in self.extra_tags.iter().flatten() {
            let [tag, value] = pair.as_slice() else {
                return Err(invalid("extraTags holds [tag, value] pairs"));
            };
            let tag = Tag::parse(tag).map_err(invalid)?;
            request.extra_tags.push((tag, value.clone()));
        }
        request.full_answer = self.full_answer.unwrap_or(true);
        Ok(request)
    }

    fn receipt_wanted(&self) -> Result<Option<ReceiptWanted>> {
        let format = match &self.receipt_format {
            Some(f) => f.parse::<ReceiptFormat>().map_err(invalid)?,
            None => ReceiptFormat::Text,
        };
        match &self.receipt {
            Some(copy) => Ok(Some(ReceiptWanted {
                copy: copy.parse::<ReceiptCopy>().map_err(invalid)?,
                format,
            })),
            None if self.receipt_format.is_some() => Err(invalid(
                "receiptFormat needs receipt (customer, merchant, both)",
            )),
            None => Ok(None),
        }
    }
}
