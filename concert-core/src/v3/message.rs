//! Typed access to a decoded V3 message. Every record stays available raw,
//! in order, including tags nobody documented.

use std::borrow::Cow;

use thiserror::Error;

use super::receipt::{Receipt, ReceiptError, TicketRequest, decode_ticket};
use super::tags::*;
use super::tlv::{DecodeError, DecodeOptions, Tag, TlvRecord, decode_records};

/// A decoded V3 message, borrowing from the bytes it was decoded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    records: Vec<TlvRecord<'a>>,
}

impl<'a> Message<'a> {
    /// Decodes with the strict rules of the protocol.
    pub fn decode(input: &'a [u8]) -> Result<Message<'a>, DecodeError> {
        Message::decode_with(input, DecodeOptions::STRICT)
    }

    /// Decodes with chosen rules.
    pub fn decode_with(
        input: &'a [u8],
        options: DecodeOptions,
    ) -> Result<Message<'a>, DecodeError> {
        decode_records(input, options).map(|records| Message { records })
    }

    /// Every record, in wire order.
    pub fn records(&self) -> &[TlvRecord<'a>] {
        &self.records
    }

    /// The first record with this tag.
    pub fn record(&self, tag: Tag) -> Option<&TlvRecord<'a>> {
        self.records.iter().find(|r| r.tag == tag)
    }

    /// The raw value of the first record with this tag.
    pub fn get(&self, tag: Tag) -> Option<&'a [u8]> {
        self.record(tag).map(|r| r.value)
    }

    /// The value of a tag as text (Latin-1 beyond ASCII).
    pub fn text(&self, tag: Tag) -> Option<Cow<'a, str>> {
        self.record(tag).map(|r| r.text())
    }

    fn digits<T: TryFrom<u64>>(&self, tag: Tag) -> Option<T> {
        parse_digits(self.get(tag)?).and_then(|n| T::try_from(n).ok())
    }

    fn single(&self, tag: Tag) -> Option<u8> {
        match self.get(tag)? {
            &[c] => Some(c),
            _ => None,
        }
    }

    /// `CZ` protocol version.
    pub fn version(&self) -> Option<Cow<'a, str>> {
        self.text(CZ)
    }
    /// `CJ` cash-register protocol identifier.
    pub fn cash_register_id(&self) -> Option<Cow<'a, str>> {
        self.text(CJ)
    }
    /// `CA` POS number.
    pub fn pos_number(&self) -> Option<u8> {
        self.digits(CA)
    }
    /// `CB` amount in minor units (compared numerically: terminals zero-pad).
    pub fn amount(&self) -> Option<u64> {
        self.digits(CB)
    }
    /// `CD` action.
    pub fn action(&self) -> Option<Action> {
        self.single(CD).map(Action::from_code)
    }
    /// `CE` currency numeric code.
    pub fn currency(&self) -> Option<u16> {
        self.digits(CE)
    }
    /// `CC` application code.
    pub fn application(&self) -> Option<Cow<'a, str>> {
        self.text(CC)
    }
    /// `CF` private data.
    pub fn private_data(&self) -> Option<Cow<'a, str>> {
        self.text(CF)
    }
    /// `CG` merchant contract number.
    pub fn contract(&self) -> Option<Cow<'a, str>> {
        self.text(CG)
    }
    /// `CH` original transaction reference.
    pub fn original_reference(&self) -> Option<Cow<'a, str>> {
        self.text(CH)
    }
    /// `CI` card read mode.
    pub fn read_mode(&self) -> Option<ReadMode> {
        self.single(CI).map(ReadMode::from_code)
    }
    /// `CK` ticket request.
    pub fn ticket_request(&self) -> Option<TicketRequest> {
        self.get(CK).and_then(TicketRequest::from_code)
    }
    /// `BA` immediate answer requested.
    pub fn immediate_answer(&self) -> Option<bool> {
        flag(self.single(BA)?)
    }
    /// `BB` forced authorisation.
    pub fn force_authorization(&self) -> Option<bool> {
        flag(self.single(BB)?)
    }
    /// `BF` partial payment allowed.
    pub fn partial_allowed(&self) -> Option<bool> {
        flag(self.single(BF)?)
    }
    /// `BH` customer phone.
    pub fn customer_phone(&self) -> Option<Cow<'a, str>> {
        self.text(BH)
    }
    /// `BI` customer e-mail.
    pub fn customer_email(&self) -> Option<Cow<'a, str>> {
        self.text(BI)
    }
    /// `AA` card number as the terminal sent it (may be unmasked: mask it
    /// with [`crate::mask::mask_pan`] before display or logging).
    pub fn card_number(&self) -> Option<Cow<'a, str>> {
        self.text(AA)
    }
    /// `AL` PAN type.
    pub fn pan_type(&self) -> Option<u8> {
        self.single(AL)
    }
    /// `AB` card expiry `YYMM`.
    pub fn expiry(&self) -> Option<Cow<'a, str>> {
        self.text(AB)
    }
    /// `AC` authorisation number.
    pub fn authorization_number(&self) -> Option<Cow<'a, str>> {
        self.text(AC)
    }
    /// `AE` action status.
    pub fn action_status(&self) -> Option<ActionStatus> {
        self.get(AE).and_then(ActionStatus::from_value)
    }
    /// `AF` reason code (first two characters).
    pub fn reason(&self) -> Option<Reason> {
        self.get(AF).and_then(Reason::from_value)
    }
    /// `AF` whole value, CB2A detail included.
    pub fn reason_detail(&self) -> Option<Cow<'a, str>> {
        self.text(AF)
    }
    /// `AI` card application identifier.
    pub fn aid(&self) -> Option<Cow<'a, str>> {
        self.text(AI)
    }
    /// `ZT` ticket, decoded (the first, when there are several).
    pub fn receipt(&self) -> Option<Result<Receipt, ReceiptError>> {
        self.record(ZT).map(decode_ticket)
    }
    /// Every `ZT` ticket, decoded, in order: a terminal asked for both
    /// copies may send one `ZT` per copy (read tolerantly to get more than
    /// one).
    pub fn receipts(&self) -> Vec<Result<Receipt, ReceiptError>> {
        self.records
            .iter()
            .filter(|r| r.tag == ZT)
            .map(decode_ticket)
            .collect()
    }
}

fn flag(c: u8) -> Option<bool> {
    match c {
        b'0' => Some(false),
        b'1' => Some(true),
        _ => None,
    }
}

fn parse_digits(value: &[u8]) -> Option<u64> {
    if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(value.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
}

/// An amount `CB` cannot carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("amount {0} does not fit the 12 digits of CB")]
pub struct AmountTooLarge(pub u64);

/// Formats an amount for `CB`: digits, left-padded to at least two
/// (`5` → `"05"`), at most twelve.
pub fn format_amount(minor: u64) -> Result<String, AmountTooLarge> {
    if minor > crate::amount::MAX_AMOUNT {
        return Err(AmountTooLarge(minor));
    }
    Ok(format!("{minor:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_access_to_an_answer() {
        let answer = b"CZ0040300CJ012012345678901CA00201CE003978BA0010CD0010CB0041250AE00210CC003001CI0011AC006276816AA016455972######4486AI021A00000000800431533132AB0042705CF0101010000000CG006424242";
        let m = Message::decode(answer).unwrap();
        assert_eq!(m.version().as_deref(), Some("0300"));
        assert_eq!(m.pos_number(), Some(1));
        assert_eq!(m.amount(), Some(1250));
        assert_eq!(m.currency(), Some(978));
        assert_eq!(m.action(), Some(Action::Debit));
        assert_eq!(m.immediate_answer(), Some(false));
        assert_eq!(m.action_status(), Some(ActionStatus::Done));
        assert_eq!(m.read_mode(), Some(ReadMode::Contact));
        assert_eq!(m.authorization_number().as_deref(), Some("276816"));
        assert_eq!(m.card_number().as_deref(), Some("455972######4486"));
        assert_eq!(m.expiry().as_deref(), Some("2705"));
        assert_eq!(m.contract().as_deref(), Some("424242"));
        assert_eq!(m.application().as_deref(), Some("001"));
        assert_eq!(m.reason(), None);
        assert_eq!(m.receipt(), None);
    }

    #[test]
    fn amounts() {
        assert_eq!(format_amount(5).unwrap(), "05");
        assert_eq!(format_amount(0).unwrap(), "00");
        assert_eq!(format_amount(999_999_999_999).unwrap(), "999999999999");
        assert!(format_amount(1_000_000_000_000).is_err());
        let m = Message::decode(b"CZ0040300CB012000000001250").unwrap();
        assert_eq!(
            m.amount(),
            Some(1250),
            "zero-padded echo compares numerically"
        );
        let m = Message::decode(b"CZ0040300CB0031x5").unwrap();
        assert_eq!(m.amount(), None);
        assert_eq!(m.get(CB), Some(&b"1x5"[..]));
    }
}
