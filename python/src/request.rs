//! `concert_tpe.Request`: what to ask the terminal, built from keyword options
//! shared by `Request(...)`, `Terminal.pay(...)` and the other methods.

use concert_core::currency::{Currency, EUR};
use concert_core::names::UnknownName;
use concert_core::terminal::{Operation, Request};
use concert_core::v3::{ReceiptCopy, ReceiptFormat, Tag};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString};

use crate::amount::{CurrencyArg, amount, type_name};
use crate::errors::invalid_request;

fn text(key: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    match value.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{key} must be a str, not {}",
            type_name(value)
        ))),
    }
}

fn flag(key: &str, value: &Bound<'_, PyAny>) -> PyResult<bool> {
    match value.cast::<PyBool>() {
        Ok(b) => Ok(b.is_true()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{key} must be a bool, not {}",
            type_name(value)
        ))),
    }
}

fn tags(value: &Bound<'_, PyAny>) -> PyResult<Vec<(Tag, String)>> {
    let pairs: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)> = match value.cast::<PyDict>() {
        Ok(dict) => dict.items().extract()?,
        Err(_) => value.extract().map_err(|_| {
            PyTypeError::new_err("extra_tags must be a dict or a list of (tag, value) pairs of str")
        })?,
    };
    pairs
        .iter()
        .map(|(tag, value)| {
            let tag = text("extra_tags tag", tag)?;
            let tag = Tag::parse(&tag).map_err(|e| invalid_request(e.to_string()))?;
            Ok((tag, text("extra_tags value", value)?))
        })
        .collect()
}

/// Applies keyword options to `request`. Unknown keys are a `TypeError`, as
/// for any Python function; `None` leaves an option unset.
pub fn apply_options(request: &mut Request, options: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
    let Some(options) = options else {
        return Ok(());
    };
    let pairs = options
        .iter()
        .map(|(key, value)| Ok((key.extract::<String>()?, value)))
        .collect::<PyResult<Vec<_>>>()?;
    apply_pairs(request, pairs.iter().map(|(k, v)| (k.as_str(), Some(v))))
}

/// Applies `(name, value)` options to `request`; `None` leaves one unset.
pub fn apply_pairs<'a, 'py: 'a>(
    request: &mut Request,
    options: impl IntoIterator<Item = (&'a str, Option<&'a Bound<'py, PyAny>>)>,
) -> PyResult<()> {
    let mut receipt_format = ReceiptFormat::Text;
    let mut receipt_copy = None;
    for (key, value) in options {
        let Some(value) = value.filter(|v| !v.is_none()) else {
            continue;
        };
        let unknown = |e: UnknownName| invalid_request(e.to_string());
        match key {
            "private_data" => request.private_data = Some(text(key, value)?),
            "application" => {
                request.application = Some(text(key, value)?.parse().map_err(unknown)?);
            }
            "immediate_answer" => request.immediate_answer = flag(key, value)?,
            "force_authorization" => request.force_authorization = flag(key, value)?,
            "receipt" => {
                receipt_copy = Some(text(key, value)?.parse::<ReceiptCopy>().map_err(unknown)?);
            }
            "receipt_format" => receipt_format = text(key, value)?.parse().map_err(unknown)?,
            "original_reference" => request.original_reference = Some(text(key, value)?),
            "partial_allowed" => request.partial_allowed = Some(flag(key, value)?),
            "customer_phone" => request.customer_phone = Some(text(key, value)?),
            "customer_email" => request.customer_email = Some(text(key, value)?),
            "extra_tags" => request.extra_tags = tags(value)?,
            "full_answer" => request.full_answer = flag(key, value)?,
            other => {
                return Err(PyTypeError::new_err(format!(
                    "unexpected keyword argument {other:?}"
                )));
            }
        }
    }
    if let Some(copy) = receipt_copy {
        request.receipt = Some(concert_core::terminal::ReceiptWanted {
            copy,
            format: receipt_format,
        });
    }
    Ok(())
}

/// A request moving money: amount and currency checked, options applied.
pub fn money_request<'a, 'py: 'a>(
    operation: Operation,
    value: &Bound<'py, PyAny>,
    currency: Currency,
    options: impl IntoIterator<Item = (&'a str, Option<&'a Bound<'py, PyAny>>)>,
) -> PyResult<Request> {
    let mut request = Request::new(operation);
    request.currency = Some(currency);
    request.amount = Some(amount(value, currency)?);
    apply_pairs(&mut request, options)?;
    Ok(request)
}

/// What to ask a terminal: an operation, its amount, and options.
///
/// `Request("pay", "12.50", "EUR", private_data="TICKET42")`.
#[pyclass(name = "Request", module = "concert_tpe", frozen)]
pub struct PyRequest {
    pub(crate) inner: Request,
}

#[pymethods]
impl PyRequest {
    #[new]
    #[pyo3(signature = (operation, amount=None, currency=CurrencyArg::Omitted, **options))]
    fn new(
        operation: &str,
        amount: Option<&Bound<'_, PyAny>>,
        currency: CurrencyArg,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let operation: Operation = operation
            .parse()
            .map_err(|e: UnknownName| invalid_request(e.to_string()))?;
        let mut request = Request::new(operation);
        let currency = match currency {
            CurrencyArg::Given(c) => Some(c),
            CurrencyArg::Omitted if operation.moves_money() || amount.is_some() => Some(EUR),
            CurrencyArg::Omitted => None,
        };
        request.currency = currency;
        if let Some(value) = amount {
            request.amount = Some(crate::amount::amount(value, currency.unwrap_or(EUR))?);
        }
        apply_options(&mut request, options)?;
        Ok(PyRequest { inner: request })
    }

    /// `pay`, `refund`, `cancel`, `preauthorize`, `identify`, `status`,
    /// `settle` (or `transact` for a raw V3 action).
    #[getter]
    fn operation(&self) -> &'static str {
        self.inner.operation.name()
    }

    /// Amount in integer minor units.
    #[getter]
    fn amount(&self) -> Option<u64> {
        self.inner.amount
    }

    /// ISO 4217 alphabetic code.
    #[getter]
    fn currency(&self) -> Option<&'static str> {
        self.inner.currency.map(Currency::alpha)
    }

    /// Private data / merchant reference.
    #[getter]
    fn private_data(&self) -> Option<String> {
        self.inner.private_data.clone()
    }

    /// Whether an immediate answer is asked for.
    #[getter]
    fn immediate_answer(&self) -> bool {
        self.inner.immediate_answer
    }

    /// Whether online authorisation is forced.
    #[getter]
    fn force_authorization(&self) -> bool {
        self.inner.force_authorization
    }

    fn __repr__(&self) -> String {
        let mut text = format!("Request({:?}", self.inner.operation.name());
        if let Some(a) = self.inner.amount {
            text.push_str(&format!(", {a}"));
        }
        if let Some(c) = self.inner.currency {
            text.push_str(&format!(", {:?}", c.alpha()));
        }
        if let Some(p) = &self.inner.private_data {
            text.push_str(&format!(", private_data={p:?}"));
        }
        text.push(')');
        text
    }
}
