//! Amounts and currencies from Python values. An amount is an `int` of minor
//! units, a `decimal.Decimal` or a decimal `str`; a `float` is refused,
//! because 0.1 + 0.2 is not 0.3 in binary floating point.

use concert_core::amount::{MAX_AMOUNT, parse_decimal};
use concert_core::currency::Currency;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString, PyType};

use crate::errors::invalid_request;

/// `decimal.Decimal`, looked up once.
fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    DECIMAL.import(py, "decimal", "Decimal")
}

/// A currency from its ISO 4217 code: `"EUR"`, `"978"` or `978`.
pub fn currency(value: &Bound<'_, PyAny>) -> PyResult<Currency> {
    if value.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(
            "currency must be an ISO 4217 code such as \"EUR\" or 978, not a bool",
        ));
    }
    if let Ok(code) = value.cast::<PyString>() {
        return Currency::parse(&code.to_cow()?).map_err(|e| invalid_request(e.to_string()));
    }
    if value.is_instance_of::<PyInt>() {
        let numeric: u16 = value
            .extract()
            .map_err(|_| invalid_request(format!("unknown currency {value}")))?;
        return Currency::from_numeric(numeric).map_err(|e| invalid_request(e.to_string()));
    }
    Err(PyTypeError::new_err(format!(
        "currency must be an ISO 4217 code such as \"EUR\" or 978, not {}",
        type_name(value)
    )))
}

/// A `currency` argument. Left out, the caller's default applies (EUR for a
/// payment); an explicit `None` is refused, so a missing value upstream (an
/// empty database column, say) never quietly becomes euros.
pub enum CurrencyArg {
    /// Not given.
    Omitted,
    /// Given and known.
    Given(Currency),
}

impl CurrencyArg {
    /// The currency, or `default` when it was left out.
    pub fn or(self, default: Currency) -> Currency {
        match self {
            CurrencyArg::Omitted => default,
            CurrencyArg::Given(c) => c,
        }
    }
}

impl FromPyObject<'_, '_> for CurrencyArg {
    type Error = PyErr;

    fn extract(value: Borrowed<'_, '_, PyAny>) -> PyResult<CurrencyArg> {
        if value.is_none() {
            return Err(PyTypeError::new_err(
                "currency must be an ISO 4217 code such as \"EUR\" or 978, not None \
                 (leave it out for EUR)",
            ));
        }
        currency(&value).map(CurrencyArg::Given)
    }
}

/// Minor units from an `int`, a `Decimal` or a decimal `str`, in `currency`.
/// Zero and amounts too large for the protocol are left to the core, which
/// refuses them with the protocol's own limits.
pub fn amount(value: &Bound<'_, PyAny>, currency: Currency) -> PyResult<u64> {
    let py = value.py();
    if value.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(
            "amount must be an int of minor units, a Decimal or a decimal str, not a bool",
        ));
    }
    if value.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "amount {value} is a float, which cannot hold most decimal amounts exactly \
             (0.1 + 0.2 != 0.3): pass an int of minor units (1250), a decimal.Decimal \
             (Decimal(\"12.50\")) or a str (\"12.50\")"
        )));
    }
    if value.is_instance_of::<PyInt>() {
        if value.lt(0)? {
            return Err(invalid_request(format!(
                "amount {value} is negative: refunds and cancellations have their own methods"
            )));
        }
        // Python ints have no bound: anything past u64 is past the protocol.
        return value.extract::<u64>().map_err(|_| {
            invalid_request(format!(
                "amount {value} is too large: at most {MAX_AMOUNT} minor units"
            ))
        });
    }
    let text = if value.is_instance_of::<PyString>() {
        value.extract::<String>()?
    } else if value.is_instance(decimal_type(py)?)? {
        // Positional notation: Decimal("1E+3") is 1000, not "1E+3".
        py.import("builtins")?
            .getattr("format")?
            .call1((value, "f"))?
            .extract::<String>()?
    } else {
        return Err(PyTypeError::new_err(format!(
            "amount must be an int of minor units, a Decimal or a decimal str, not {}",
            type_name(value)
        )));
    };
    parse_decimal(&text, currency).map_err(|e| invalid_request(e.to_string()))
}

/// The type's name, for messages.
pub fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
}
