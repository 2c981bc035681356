//! `concert_request`: what to ask the terminal, built field by field.

use std::ffi::c_char;

use concert_core::amount::parse_decimal;
use concert_core::currency::Currency;
use concert_core::terminal::{Application, ReceiptWanted, Request};
use concert_core::v3::Tag;

use crate::enums::{
    concert_application, concert_operation, concert_receipt_copy, concert_receipt_format,
};
use crate::guard::{Failure, LastError, borrow, borrow_mut, flag, free_handle, guard, out, text};
use crate::result::concert_result;
use crate::text::copy_out;

/// A request to a terminal. Made by `concert_request_new`, released by
/// `concert_request_free`. One thread at a time may change a request;
/// running it copies it, so it may be changed or freed right after.
pub struct concert_request {
    pub(crate) request: Request,
    pub(crate) last_error: LastError,
}

/// Makes a request for `operation` (a `concert_operation` other than
/// `OTHER`) with nothing else set. Operations that move money (pay,
/// refund, cancel, preauthorize) need an amount and a currency.
///
/// On success `*out_request` receives a request owned by the caller.
///
/// # Safety
/// `out_request` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_new(
    operation: u32,
    out_request: *mut *mut concert_request,
) -> concert_result {
    guard(|| {
        // SAFETY: `out_request` is NULL or valid for writing, as the function's
        // Safety section requires.
        let out_request = unsafe { out(out_request) }?;
        let operation = concert_operation::try_from(operation)?
            .to_core()
            .ok_or(concert_result::CONCERT_RESULT_INVALID_ARGUMENT)?;
        *out_request = Box::into_raw(Box::new(concert_request {
            request: Request::new(operation),
            last_error: LastError::default(),
        }));
        Ok(())
    })
}

/// Releases a request. NULL does nothing.
///
/// # Safety
/// `request` is NULL or a live request, used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_free(request: *mut concert_request) {
    // SAFETY: the export's contract: NULL, or a live handle freed once.
    unsafe { free_handle(request) }
}

/// Runs a setter on a request, remembering the failure's message.
fn with_request(
    request: *mut concert_request,
    what: &str,
    f: impl FnOnce(&mut Request) -> Result<(), Failure>,
) -> concert_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live request it uses alone.
        let handle = unsafe { borrow_mut(request) }?;
        f(&mut handle.request).map_err(|failure| handle.last_error.fail(what, failure))
    })
}

/// An optional text field: NULL clears it.
///
/// # Safety
/// `value` is NULL or a NUL-terminated string.
unsafe fn optional_text(value: *const c_char) -> Result<Option<String>, Failure> {
    if value.is_null() {
        return Ok(None);
    }
    // SAFETY: `value` is NULL or a NUL-terminated string, as the function's
    // Safety section requires.
    unsafe { text(value) }
        .map(|s| Some(s.to_owned()))
        .map_err(Failure::from)
}

/// The amount in integer minor units (cents for EUR).
///
/// # Safety
/// `request` is NULL or a live request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_amount(
    request: *mut concert_request,
    amount: u64,
) -> concert_result {
    with_request(request, "set_amount", |r| {
        r.amount = Some(amount);
        Ok(())
    })
}

/// The currency: ISO 4217 alphabetic (`"EUR"`) or numeric (`"978"`) code.
/// Unknown codes give `CONCERT_RESULT_INVALID_REQUEST`.
///
/// # Safety
/// `request` is NULL or a live request; `code` is NULL or a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_currency(
    request: *mut concert_request,
    code: *const c_char,
) -> concert_result {
    with_request(request, "set_currency", |r| {
        // SAFETY: `code` is NULL or a NUL-terminated string, as the function's
        // Safety section requires.
        let code = unsafe { text(code) }?;
        let currency = Currency::parse(code).map_err(|e| {
            Failure::new(
                concert_result::CONCERT_RESULT_INVALID_REQUEST,
                e.to_string(),
            )
        })?;
        r.currency = Some(currency);
        Ok(())
    })
}

/// The amount as an exact decimal string in `currency` (`"12.50"` with
/// `"EUR"` is 1250 minor units; never parsed through a float). Sets both
/// amount and currency.
///
/// # Safety
/// `request` is NULL or a live request; `amount` and `currency` are NULL or
/// NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_amount_decimal(
    request: *mut concert_request,
    amount: *const c_char,
    currency: *const c_char,
) -> concert_result {
    with_request(request, "set_amount_decimal", |r| {
        // SAFETY: `amount` and `currency` are NULL or NUL-terminated strings,
        // as the function's Safety section requires.
        let (amount, code) = unsafe { (text(amount), text(currency)) };
        let (amount, code) = (amount?, code?);
        let invalid = |m: String| Failure::new(concert_result::CONCERT_RESULT_INVALID_REQUEST, m);
        let currency = Currency::parse(code).map_err(|e| invalid(e.to_string()))?;
        let minor = parse_decimal(amount, currency).map_err(|e| invalid(e.to_string()))?;
        r.amount = Some(minor);
        r.currency = Some(currency);
        Ok(())
    })
}

/// Private data / merchant reference, echoed by the terminal (V2: at most
/// 10 characters, V3: 99). NULL clears it.
///
/// # Safety
/// `request` is NULL or a live request; `value` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_private_data(
    request: *mut concert_request,
    value: *const c_char,
) -> concert_result {
    with_request(request, "set_private_data", |r| {
        // SAFETY: `value` is NULL or a NUL-terminated string, as the function's
        // Safety section requires.
        r.private_data = unsafe { optional_text(value) }?;
        Ok(())
    })
}

/// The payment application, a `concert_application`.
///
/// # Safety
/// `request` is NULL or a live request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_application(
    request: *mut concert_request,
    application: u32,
) -> concert_result {
    with_request(request, "set_application", |r| {
        let application = concert_application::try_from(application)?;
        use concert_application as A;
        r.application = Some(match application {
            A::CONCERT_APPLICATION_ANY => Application::Any,
            A::CONCERT_APPLICATION_CARD => Application::Card,
            A::CONCERT_APPLICATION_CHEQUE => Application::Cheque,
            A::CONCERT_APPLICATION_AMEX => Application::Amex,
            A::CONCERT_APPLICATION_CETELEM => Application::Cetelem,
            A::CONCERT_APPLICATION_COFINOGA => Application::Cofinoga,
            A::CONCERT_APPLICATION_DINERS => Application::Diners,
            A::CONCERT_APPLICATION_FRANFINANCE => Application::Franfinance,
            A::CONCERT_APPLICATION_JCB => Application::Jcb,
            A::CONCERT_APPLICATION_ACCORD_FINANCE => Application::AccordFinance,
            A::CONCERT_APPLICATION_UNION_PAY => Application::UnionPay,
            A::CONCERT_APPLICATION_MONEO => Application::Moneo,
            A::CONCERT_APPLICATION_FINTRAX => Application::Fintrax,
        });
        Ok(())
    })
}

/// Any V3 `CC` application code, sent as given (V3 only).
///
/// # Safety
/// `request` is NULL or a live request; `code` is NULL or a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_application_code(
    request: *mut concert_request,
    code: *const c_char,
) -> concert_result {
    with_request(request, "set_application_code", |r| {
        // SAFETY: `code` is NULL or a NUL-terminated string, as the function's
        // Safety section requires.
        let code = unsafe { text(code) }?;
        r.application = Some(Application::V3Code(code.to_owned()));
        Ok(())
    })
}

/// Sets a yes/no option: `value` 1 or 0 (anything else is refused).
fn set_flag(
    request: *mut concert_request,
    what: &str,
    value: u32,
    f: impl FnOnce(&mut Request, bool),
) -> concert_result {
    with_request(request, what, |r| {
        f(r, flag(value)?);
        Ok(())
    })
}

/// Ask for an immediate answer (1) or not (0): the outcome is then
/// `PENDING` and the result is fetched with a status request.
///
/// # Safety
/// `request` is NULL or a live request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_immediate_answer(
    request: *mut concert_request,
    value: u32,
) -> concert_result {
    set_flag(request, "set_immediate_answer", value, |r, v| {
        r.immediate_answer = v;
    })
}

/// Force online authorisation (1) or not (0).
///
/// # Safety
/// `request` is NULL or a live request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_force_authorization(
    request: *mut concert_request,
    value: u32,
) -> concert_result {
    set_flag(request, "set_force_authorization", value, |r, v| {
        r.force_authorization = v;
    })
}

/// Partial payment allowed (V3 `BF`): 1 or 0. Sent only when set.
///
/// # Safety
/// `request` is NULL or a live request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_partial_allowed(
    request: *mut concert_request,
    value: u32,
) -> concert_result {
    set_flag(request, "set_partial_allowed", value, |r, v| {
        r.partial_allowed = Some(v);
    })
}

/// V2 only: ask for the 80-character answer with card data (1, default) or
/// the short one (0).
///
/// # Safety
/// `request` is NULL or a live request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_full_answer(
    request: *mut concert_request,
    value: u32,
) -> concert_result {
    set_flag(request, "set_full_answer", value, |r, v| r.full_answer = v)
}

/// Makes a request for the operation named `operation` (`"pay"`,
/// `"refund"`, `"cancel"`, `"preauthorize"`, `"identify"`, `"status"`,
/// `"settle"`, and the other spellings every language accepts, such as
/// `"preauth"`). An unknown name gives `CONCERT_RESULT_INVALID_REQUEST`.
///
/// On success `*out_request` receives a request owned by the caller.
///
/// # Safety
/// `operation` is NULL or a NUL-terminated string; `out_request` is NULL or
/// valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_new_named(
    operation: *const c_char,
    out_request: *mut *mut concert_request,
) -> concert_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        let name = unsafe { text(operation) }?;
        // SAFETY: the caller passes NULL or a pointer valid for writing.
        let out_request = unsafe { out(out_request) }?;
        let operation = name
            .parse()
            .map_err(|_| concert_result::CONCERT_RESULT_INVALID_REQUEST)?;
        *out_request = Box::into_raw(Box::new(concert_request {
            request: Request::new(operation),
            last_error: LastError::default(),
        }));
        Ok(())
    })
}

/// The application by name: `"card"`, `"cheque"` (or `"check"`), `"amex"`
/// … `"v3:CODE"`, `"v2:C"`, the spellings every language accepts. An
/// unknown name gives `CONCERT_RESULT_INVALID_REQUEST` with the accepted
/// spellings in the last error.
///
/// # Safety
/// `request` is NULL or a live request; `name` is NULL or a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_application_name(
    request: *mut concert_request,
    name: *const c_char,
) -> concert_result {
    with_request(request, "set_application_name", |r| {
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        let name = unsafe { text(name) }?;
        let application = name.parse::<Application>().map_err(|e| {
            Failure::new(
                concert_result::CONCERT_RESULT_INVALID_REQUEST,
                e.to_string(),
            )
        })?;
        r.application = Some(application);
        Ok(())
    })
}

/// Ask for a ticket (V3) by names: `copy` `"customer"`, `"merchant"` or
/// `"both"`, `format` `"text"` or `"html"` (NULL: text). An unknown name
/// gives `CONCERT_RESULT_INVALID_REQUEST`.
///
/// # Safety
/// `request` is NULL or a live request; `copy` is NULL or a NUL-terminated
/// string; `format` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_receipt_name(
    request: *mut concert_request,
    copy: *const c_char,
    format: *const c_char,
) -> concert_result {
    with_request(request, "set_receipt_name", |r| {
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        let copy = unsafe { text(copy) }?;
        // SAFETY: `format` is NULL or a NUL-terminated string, as the
        // function's Safety section requires; NULL means the default.
        let format = unsafe { optional_text(format) }?;
        let refuse = |e: concert_core::names::UnknownName| {
            Failure::new(
                concert_result::CONCERT_RESULT_INVALID_REQUEST,
                e.to_string(),
            )
        };
        let format = match format {
            Some(f) => f.parse().map_err(refuse)?,
            None => concert_core::v3::ReceiptFormat::Text,
        };
        r.receipt = Some(ReceiptWanted {
            copy: copy.parse().map_err(refuse)?,
            format,
        });
        Ok(())
    })
}

/// Ask for a ticket (V3): `copy` a `concert_receipt_copy`, `format` a
/// `concert_receipt_format`.
///
/// # Safety
/// `request` is NULL or a live request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_receipt(
    request: *mut concert_request,
    copy: u32,
    format: u32,
) -> concert_result {
    with_request(request, "set_receipt", |r| {
        let copy = concert_receipt_copy::try_from(copy)?;
        let format = concert_receipt_format::try_from(format)?;
        r.receipt = Some(ReceiptWanted {
            copy: copy.into(),
            format: format.into(),
        });
        Ok(())
    })
}

/// The original transaction reference of a cancellation (V3 `CH`). NULL
/// clears it.
///
/// # Safety
/// `request` is NULL or a live request; `value` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_original_reference(
    request: *mut concert_request,
    value: *const c_char,
) -> concert_result {
    with_request(request, "set_original_reference", |r| {
        // SAFETY: `value` is NULL or a NUL-terminated string, as the function's
        // Safety section requires.
        r.original_reference = unsafe { optional_text(value) }?;
        Ok(())
    })
}

/// The customer's phone (V3 `BH`). NULL clears it.
///
/// # Safety
/// `request` is NULL or a live request; `value` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_customer_phone(
    request: *mut concert_request,
    value: *const c_char,
) -> concert_result {
    with_request(request, "set_customer_phone", |r| {
        // SAFETY: `value` is NULL or a NUL-terminated string, as the function's
        // Safety section requires.
        r.customer_phone = unsafe { optional_text(value) }?;
        Ok(())
    })
}

/// The customer's e-mail (V3 `BI`). NULL clears it.
///
/// # Safety
/// `request` is NULL or a live request; `value` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_set_customer_email(
    request: *mut concert_request,
    value: *const c_char,
) -> concert_result {
    with_request(request, "set_customer_email", |r| {
        // SAFETY: `value` is NULL or a NUL-terminated string, as the function's
        // Safety section requires.
        r.customer_email = unsafe { optional_text(value) }?;
        Ok(())
    })
}

/// Adds a raw V3 record sent as given after the others (vendor tags):
/// `tag` is two capital letters, `value` printable text.
///
/// # Safety
/// `request` is NULL or a live request; `tag` and `value` are NULL or
/// NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_add_tag(
    request: *mut concert_request,
    tag: *const c_char,
    value: *const c_char,
) -> concert_result {
    with_request(request, "add_tag", |r| {
        // SAFETY: `tag` and `value` are NULL or NUL-terminated strings, as the
        // function's Safety section requires.
        let (tag, value) = unsafe { (text(tag), text(value)) };
        let (tag, value) = (tag?, value?);
        let tag = Tag::parse(tag).map_err(|e| {
            Failure::new(
                concert_result::CONCERT_RESULT_INVALID_REQUEST,
                e.to_string(),
            )
        })?;
        r.extra_tags.push((tag, value.to_owned()));
        Ok(())
    })
}

/// Copies the message of the last failed call on this request into `buf`
/// (buffer convention: see the header's introduction).
///
/// # Safety
/// `request` is NULL or a live request; `buf` is NULL or valid for `len`
/// bytes; `out_n` is NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn concert_request_last_error(
    request: *const concert_request,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> concert_result {
    guard(|| {
        // SAFETY: `request` is NULL or a live handle of this library, as the
        // function's Safety section requires.
        let request = unsafe { borrow(request) }?;
        // SAFETY: `buf` is NULL or valid for `len` bytes and `out_n` NULL or
        // valid, as the function's Safety section requires.
        unsafe { copy_out(&request.last_error.get(), buf, len, out_n) }
    })
}
