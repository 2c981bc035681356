//! `concert.decode` (any frame explained, field by field) and
//! `concert.ports()` (serial ports, known terminals flagged).

use concert_core::inspect::{Hint, Inspected, InspectedField, inspect, inspect_text};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString};

use crate::amount::type_name;
use crate::errors::{config_error, new_error};

/// One field or record of a decoded frame.
#[pyclass(name = "Field", module = "concert", frozen)]
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
        self.inner.meaning.clone()
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
#[pyclass(name = "Decoded", module = "concert", frozen)]
pub struct PyDecoded {
    inner: Inspected,
}

#[pymethods]
impl PyDecoded {
    /// `"v2"` or `"v3"`.
    #[getter]
    fn protocol(&self) -> &'static str {
        self.inner.protocol
    }

    /// `"v3"`, `"v2-request-e"`, `"v2-request-e+"`, `"v2-answer-25"` or
    /// `"v2-answer-80"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind
    }

    /// Whether the input was a whole serial frame (STX … ETX LRC).
    #[getter]
    fn serial_frame(&self) -> bool {
        self.inner.serial_frame
    }

    /// The fields in wire order.
    #[getter]
    fn fields(&self) -> Vec<PyField> {
        self.inner
            .fields
            .iter()
            .map(|f| PyField { inner: f.clone() })
            .collect()
    }

    /// The value of the first field named `name`.
    fn __getitem__(&self, name: &str) -> PyResult<String> {
        self.inner
            .fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.clone())
            .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(name.to_owned()))
    }

    fn __contains__(&self, name: &str) -> bool {
        self.inner.fields.iter().any(|f| f.name == name)
    }

    fn __len__(&self) -> usize {
        self.inner.fields.len()
    }

    /// Everything as plain values, ready for JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("protocol", self.inner.protocol)?;
        d.set_item("kind", self.inner.kind)?;
        d.set_item("serial_frame", self.inner.serial_frame)?;
        let fields = self
            .inner
            .fields
            .iter()
            .map(|f| field_dict(py, f))
            .collect::<PyResult<Vec<_>>>()?;
        d.set_item("fields", fields)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let fields: Vec<String> = self
            .inner
            .fields
            .iter()
            .map(|f| format!("{}={:?}", f.name, f.value))
            .collect();
        format!("<Decoded {} {}>", self.inner.kind, fields.join(" "))
    }
}

/// Explains a frame: a V2 payload, V3 records, a whole serial frame
/// (bytes), or its hex (str). `protocol`: `"auto"`, `"v2"` or `"v3"`.
/// Raises `ProtocolError` (with `offset`) for what is not a frame.
#[pyfunction]
#[pyo3(signature = (frame, protocol="auto"))]
pub fn decode(py: Python<'_>, frame: &Bound<'_, PyAny>, protocol: &str) -> PyResult<PyDecoded> {
    let hint = match protocol.trim().to_ascii_lowercase().as_str() {
        "auto" => Hint::Auto,
        "v2" => Hint::V2,
        "v3" => Hint::V3,
        other => {
            return Err(config_error(format!(
                "unknown protocol {other:?}: expected auto, v2 or v3"
            )));
        }
    };
    let result = if let Ok(text) = frame.cast::<PyString>() {
        let text = text.to_cow()?.into_owned();
        py.detach(|| inspect_text(&text, hint))
    } else if let Ok(bytes) = frame.cast::<PyBytes>() {
        let bytes = bytes.as_bytes();
        inspect(bytes, hint)
    } else if let Ok(bytes) = frame.cast::<PyByteArray>() {
        inspect(&bytes.to_vec(), hint)
    } else {
        return Err(PyTypeError::new_err(format!(
            "frame must be bytes or str, not {}",
            type_name(frame)
        )));
    };
    match result {
        Ok(inner) => Ok(PyDecoded { inner }),
        Err(e) => {
            let err = new_error(py, "ProtocolError", e.to_string(), "CONCERT_PROTOCOL");
            err.value(py).setattr("offset", e.offset)?;
            Err(err)
        }
    }
}

/// A serial port of this machine.
#[pyclass(name = "PortInfo", module = "concert", frozen, get_all)]
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
                "ConnectionFailedError",
                format!("cannot list serial ports: {e}"),
                "CONCERT_PORT",
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
