//! `concert_tpe.decode` (any frame explained, field by field) and
//! `concert_tpe.ports()` (serial ports, known terminals flagged).

use std::sync::OnceLock;

use concert_core::codes::ErrorCode;
use concert_core::inspect::{CheckedV3, Hint, Inspected, InspectedField, inspect, inspect_text};
use concert_core::terminal::{Outcome, answer_outcome, answer_outcome_text};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyString};

use crate::amount::type_name;
use crate::errors::{invalid_request, new_error};
use crate::outcome::PyOutcome;

/// One field or record of a decoded frame.
#[pyclass(name = "Field", module = "concert_tpe", frozen)]
pub struct PyField {
    inner: InspectedField,
}

fn field_dict<'py>(py: Python<'py>, f: &InspectedField) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", &f.name)?;
    d.set_item("value", &f.value)?;
    d.set_item("meaning", &f.meaning)?;
    let children = f
        .children
        .iter()
        .map(|c| field_dict(py, c))
        .collect::<PyResult<Vec<_>>>()?;
    d.set_item("children", children)?;
    Ok(d)
}

#[pymethods]
impl PyField {
    /// V3 tag (`CB`) or V2 field name (`amount`).
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// The value as sent, card numbers masked.
    #[getter]
    fn value(&self) -> String {
        self.inner.value.clone()
    }

    /// What a coded value means (`debit`, `approved`, `12.50 EUR` …).
    #[getter]
    fn meaning(&self) -> Option<String> {
        self.inner.meaning.as_deref().map(str::to_owned)
    }

    /// Records nested in this one (V3 `ZT`).
    #[getter]
    fn children(&self) -> Vec<PyField> {
        self.inner
            .children
            .iter()
            .map(|c| PyField { inner: c.clone() })
            .collect()
    }

    /// The field as plain values.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        field_dict(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        match &self.inner.meaning {
            Some(m) => format!("<Field {}={:?} ({m})>", self.inner.name, self.inner.value),
            None => format!("<Field {}={:?}>", self.inner.name, self.inner.value),
        }
    }
}

/// A frame read field by field.
///
/// A plain V3 message is only checked by `decode` (one walk over its
/// records, nothing copied but the bytes); its fields are explained (labels,
/// amounts, currencies) on first use. Everything else is explained at once.
#[pyclass(name = "Decoded", module = "concert_tpe", frozen)]
pub struct PyDecoded {
    body: Body,
    explained: OnceLock<Inspected>,
    /// The input as given (text or bytes) and the hint, for `outcome`; a
    /// checked V3 body is its own input.
    input: Option<(Input, Hint)>,
    outcome: OnceLock<Option<Outcome>>,
}

/// What `decode` was given.
enum Input {
    Text(String),
    Bytes(Vec<u8>),
}

enum Body {
    /// Explained already.
    Explained,
    /// A V3 message checked by the core, explained on first use.
    CheckedV3(CheckedV3),
}

impl PyDecoded {
    fn new(inspected: Inspected, input: Input, hint: Hint) -> PyDecoded {
        PyDecoded {
            body: Body::Explained,
            explained: OnceLock::from(inspected),
            input: Some((input, hint)),
            outcome: OnceLock::new(),
        }
    }

    fn checked(checked: CheckedV3) -> PyDecoded {
        PyDecoded {
            body: Body::CheckedV3(checked),
            explained: OnceLock::new(),
            input: None,
            outcome: OnceLock::new(),
        }
    }

    /// The fields explained, computed once. `explained` was filled at
    /// construction unless the body is a checked V3 message, which
    /// `inspect` reads as well (it was checked with the same rules).
    fn inspected(&self) -> PyResult<&Inspected> {
        if let Some(done) = self.explained.get() {
            return Ok(done);
        }
        let Body::CheckedV3(checked) = &self.body else {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "decoded frame lost its fields",
            ));
        };
        let inspected = checked.inspect().map_err(|e| {
            pyo3::exceptions::PyRuntimeError::new_err(format!("checked frame unreadable: {e}"))
        })?;
        Ok(self.explained.get_or_init(|| inspected))
    }
}

#[pymethods]
impl PyDecoded {
    /// `"v2"` or `"v3"`.
    #[getter]
    fn protocol(&self) -> PyResult<&'static str> {
        match self.body {
            Body::CheckedV3(_) => Ok("v3"),
            Body::Explained => Ok(self.inspected()?.protocol),
        }
    }

    /// `"v3"`, `"v2-request-e"`, `"v2-request-e+"`, `"v2-answer-25"` or
    /// `"v2-answer-80"`.
    #[getter]
    fn kind(&self) -> PyResult<&'static str> {
        match self.body {
            Body::CheckedV3(_) => Ok("v3"),
            Body::Explained => Ok(self.inspected()?.kind),
        }
    }

    /// Whether the input was a whole serial frame (STX … ETX LRC).
    #[getter]
    fn serial_frame(&self) -> PyResult<bool> {
        match self.body {
            Body::CheckedV3(_) => Ok(false),
            Body::Explained => Ok(self.inspected()?.serial_frame),
        }
    }

    /// The fields in wire order, explained.
    #[getter]
    fn fields(&self) -> PyResult<Vec<PyField>> {
        Ok(self
            .inspected()?
            .fields
            .iter()
            .map(|f| PyField { inner: f.clone() })
            .collect())
    }

    /// Every record (V3 tag) or field (V2 name) with its value, in wire
    /// order, card numbers masked: `[("CZ", "0300"), ("CB", "1250"), …]`.
    #[getter]
    fn records<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let pairs = PyList::empty(py);
        if let Body::CheckedV3(checked) = &self.body {
            for (tag, value) in checked.records() {
                pairs.append((tag.as_str(), value.as_ref()))?;
            }
        } else {
            for f in &self.inspected()?.fields {
                pairs.append((f.name.as_str(), f.value.as_str()))?;
            }
        }
        Ok(pairs)
    }

    /// What the frame means when it is a terminal's answer (the same
    /// `Outcome` a transaction gives, minus what only the request knows);
    /// `None` for a request.
    #[getter]
    fn outcome(&self) -> Option<PyOutcome> {
        self.outcome
            .get_or_init(|| match (&self.body, &self.input) {
                (Body::CheckedV3(checked), _) => answer_outcome(checked.payload(), Hint::V3),
                (Body::Explained, Some((Input::Text(text), hint))) => {
                    answer_outcome_text(text, *hint)
                }
                (Body::Explained, Some((Input::Bytes(bytes), hint))) => {
                    answer_outcome(bytes, *hint)
                }
                (Body::Explained, None) => None,
            })
            .clone()
            .map(|inner| PyOutcome { inner })
    }

    /// The value of the first field named `name`.
    fn __getitem__(&self, name: &str) -> PyResult<String> {
        self.inspected()?
            .fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.clone())
            .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(name.to_owned()))
    }

    fn __contains__(&self, name: &str) -> PyResult<bool> {
        Ok(self.inspected()?.fields.iter().any(|f| f.name == name))
    }

    fn __len__(&self) -> PyResult<usize> {
        match self.body {
            Body::CheckedV3(ref checked) => Ok(checked.len()),
            Body::Explained => Ok(self.inspected()?.fields.len()),
        }
    }

    /// Everything as plain values, ready for JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let inspected = self.inspected()?;
        let d = PyDict::new(py);
        d.set_item("protocol", inspected.protocol)?;
        d.set_item("kind", inspected.kind)?;
        d.set_item("serial_frame", inspected.serial_frame)?;
        let fields = inspected
            .fields
            .iter()
            .map(|f| field_dict(py, f))
            .collect::<PyResult<Vec<_>>>()?;
        d.set_item("fields", fields)?;
        let outcome = match self.outcome() {
            Some(outcome) => Some(Bound::new(py, outcome)?.call_method0("to_dict")?),
            None => None,
        };
        d.set_item("outcome", outcome)?;
        Ok(d)
    }

    fn __repr__(&self) -> PyResult<String> {
        let inspected = self.inspected()?;
        let fields: Vec<String> = inspected
            .fields
            .iter()
            .map(|f| format!("{}={:?}", f.name, f.value))
            .collect();
        Ok(format!("<Decoded {} {}>", inspected.kind, fields.join(" ")))
    }
}

/// Explains a frame: a V2 payload, V3 records, a whole serial frame
/// (bytes), or its hex (str). `hint`: `"auto"`, `"v2"` or `"v3"`.
/// Raises `DecodeError` (with `offset`) for what is not a frame.
#[pyfunction]
#[pyo3(signature = (frame, hint="auto"))]
pub fn decode(py: Python<'_>, frame: &Bound<'_, PyAny>, hint: &str) -> PyResult<PyDecoded> {
    let hint: Hint = hint
        .parse()
        .map_err(|e: concert_core::names::UnknownName| invalid_request(e.to_string()))?;
    let result = if let Ok(text) = frame.cast::<PyString>() {
        let text = text.to_cow()?;
        if let Some(checked) = CheckedV3::check(text.as_bytes(), hint) {
            return Ok(PyDecoded::checked(checked));
        }
        let text = text.into_owned();
        py.detach(|| inspect_text(&text, hint))
            .map(|inspected| (inspected, Input::Text(text)))
    } else if let Ok(bytes) = frame.cast::<PyBytes>() {
        let bytes = bytes.as_bytes();
        if let Some(checked) = CheckedV3::check(bytes, hint) {
            return Ok(PyDecoded::checked(checked));
        }
        inspect(bytes, hint).map(|inspected| (inspected, Input::Bytes(bytes.to_vec())))
    } else if let Ok(bytes) = frame.cast::<PyByteArray>() {
        let bytes = bytes.to_vec();
        inspect(&bytes, hint).map(|inspected| (inspected, Input::Bytes(bytes)))
    } else {
        return Err(PyTypeError::new_err(format!(
            "frame must be bytes or str, not {}",
            type_name(frame)
        )));
    };
    match result {
        Ok((inner, input)) => Ok(PyDecoded::new(inner, input, hint)),
        Err(e) => {
            let err = new_error(py, ErrorCode::Decode, e.to_string());
            err.value(py).setattr("offset", e.offset)?;
            Err(err)
        }
    }
}

/// A serial port of this machine.
#[pyclass(name = "PortInfo", module = "concert_tpe", frozen, get_all)]
pub struct PyPortInfo {
    /// Path to open (`/dev/ttyACM0`, `COM3`).
    path: String,
    /// USB vendor id.
    vid: Option<u16>,
    /// USB product id.
    pid: Option<u16>,
    /// USB manufacturer.
    manufacturer: Option<String>,
    /// USB product.
    product: Option<String>,
    /// USB serial number.
    serial_number: Option<String>,
    /// `usb`, `pci`, `bluetooth` or `unknown`.
    kind: &'static str,
    /// The terminal model when the USB ids are known ones.
    known_terminal: Option<&'static str>,
}

#[pymethods]
impl PyPortInfo {
    fn __repr__(&self) -> String {
        match self.known_terminal {
            Some(t) => format!("<PortInfo {} {} ({t})>", self.path, self.kind),
            None => format!("<PortInfo {} {}>", self.path, self.kind),
        }
    }
}

/// The serial ports of this machine (pseudo-terminals are not listed).
#[pyfunction]
pub fn ports(py: Python<'_>) -> PyResult<Vec<PyPortInfo>> {
    let ports = py
        .detach(concert_core::transport::list_ports)
        .map_err(|e| {
            new_error(
                py,
                ErrorCode::Ports,
                format!("cannot list serial ports: {e}"),
            )
        })?;
    Ok(ports
        .into_iter()
        .map(|p| PyPortInfo {
            path: p.path,
            vid: p.vid,
            pid: p.pid,
            manufacturer: p.manufacturer,
            product: p.product,
            serial_number: p.serial_number,
            kind: p.kind,
            known_terminal: p.known_terminal,
        })
        .collect())
}
