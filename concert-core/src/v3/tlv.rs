//! The V3 record layer: `TT LLL V…` records, decoded without copying and
//! encoded with every rule a terminal enforces.

use std::borrow::Cow;
use std::fmt;

use thiserror::Error;

/// Largest value a record can carry: the length field has 3 digits.
pub const MAX_VALUE_LEN: usize = 999;

/// A record's header: the two-letter tag and the three-digit length.
pub const HEADER_LEN: usize = 5;

/// A two-letter tag (`CZ`, `CB`, `AE` …). Tags starting with `Z` are
/// constructed: their value is itself a list of records.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag([u8; 2]);

impl Tag {
    /// A tag from two bytes, which must both be `A`–`Z`.
    pub const fn new(bytes: [u8; 2]) -> Result<Tag, InvalidTag> {
        if bytes[0].is_ascii_uppercase() && bytes[1].is_ascii_uppercase() {
            Ok(Tag(bytes))
        } else {
            Err(InvalidTag(bytes))
        }
    }

    /// A tag from text such as `"CB"`.
    pub fn parse(text: &str) -> Result<Tag, InvalidTag> {
        match text.as_bytes() {
            &[a, b] => Tag::new([a, b]),
            other => {
                let mut bytes = [0u8; 2];
                for (slot, b) in bytes.iter_mut().zip(other) {
                    *slot = *b;
                }
                Err(InvalidTag(bytes))
            }
        }
    }

    /// The tag as text.
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII uppercase letters (checked on construction).
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The two bytes.
    pub const fn bytes(self) -> [u8; 2] {
        self.0
    }

    /// Whether the value is itself a list of records (`Z*` tags such as `ZT`).
    pub const fn is_constructed(self) -> bool {
        self.0[0] == b'Z'
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text that is not a tag: tags are two letters `A`–`Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("invalid tag {:?}: a tag is two capital letters A-Z", String::from_utf8_lossy(&self.0))]
pub struct InvalidTag(pub [u8; 2]);

/// One decoded record, borrowing its value from the decoded bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlvRecord<'a> {
    /// The tag.
    pub tag: Tag,
    /// The value bytes (printable ASCII from conforming terminals).
    pub value: &'a [u8],
    /// Byte offset of the record's tag in the decoded input.
    pub offset: usize,
}

impl<'a> TlvRecord<'a> {
    /// The value as text. ASCII is borrowed; other bytes are read as
    /// Latin-1, the character set terminals use.
    pub fn text(&self) -> Cow<'a, str> {
        latin1(self.value)
    }

    /// The value as text, safe to show and keep: the card number (`AA`)
    /// masked, every other value as [`TlvRecord::text`].
    pub fn masked_text(&self) -> Cow<'a, str> {
        let text = self.text();
        if self.tag == super::tags::AA {
            Cow::Owned(crate::mask::mask_pan(&text))
        } else {
            text
        }
    }

    /// Byte offset of the value in the decoded input.
    pub fn value_offset(&self) -> usize {
        self.offset + HEADER_LEN
    }

    /// Decodes the value of a constructed (`Z*`) record into its records.
    /// Offsets in errors and records count from the start of the value.
    pub fn nested(&self, options: DecodeOptions) -> Result<Vec<TlvRecord<'a>>, DecodeError> {
        decode_records(
            self.value,
            DecodeOptions {
                require_version_first: false,
                ..options
            },
        )
    }
}

/// Bytes as text: borrowed when ASCII, otherwise decoded as Latin-1.
pub fn latin1(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) if bytes.is_ascii() => Cow::Borrowed(s),
        _ => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// How strictly to decode. The strict reading is the default; tolerant
/// decoding accepts what some terminals are known to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// `CZ` must be the first record (true at top level).
    pub require_version_first: bool,
    /// Refuse a tag that appears twice (otherwise the first one wins in
    /// typed access, and every one is kept in the raw list).
    pub reject_duplicates: bool,
    /// Refuse empty values and bytes outside printable ASCII.
    pub strict_values: bool,
}

impl DecodeOptions {
    /// The rules of the protocol as written.
    pub const STRICT: DecodeOptions = DecodeOptions {
        require_version_first: true,
        reject_duplicates: true,
        strict_values: true,
    };
    /// Accepts duplicate tags, empty values and Latin-1 bytes, but still
    /// requires well-formed records and `CZ` first.
    pub const TOLERANT: DecodeOptions = DecodeOptions {
        require_version_first: true,
        reject_duplicates: false,
        strict_values: false,
    };
    /// Only the record structure (tag, length, value in bounds): for
    /// reading what can be read of anything, CZ or not.
    pub const STRUCTURE_ONLY: DecodeOptions = DecodeOptions {
        require_version_first: false,
        reject_duplicates: false,
        strict_values: false,
    };
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions::STRICT
    }
}

/// A malformed V3 message: what is wrong and at which byte.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{kind} at byte {offset}")]
pub struct DecodeError {
    /// What is wrong.
    pub kind: DecodeErrorKind,
    /// Offset of the offending byte from the start of the input.
    pub offset: usize,
}

/// What can be wrong with V3 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeErrorKind {
    /// No bytes at all.
    #[error("empty message")]
    Empty,
    /// The input ends inside a record header (tag + 3-digit length).
    #[error("truncated record header: {available} of {HEADER_LEN} bytes")]
    TruncatedHeader {
        /// Bytes left.
        available: usize,
    },
    /// A tag that is not two capital letters.
    #[error("invalid tag {0:?}")]
    BadTag(String),
    /// A length field that is not three digits.
    #[error("length {0:?} is not three digits")]
    BadLength(String),
    /// The length announces more bytes than remain.
    #[error("record {tag} announces {len} bytes but only {available} remain")]
    LengthOverrun {
        /// The tag.
        tag: Tag,
        /// Announced length.
        len: usize,
        /// Bytes left.
        available: usize,
    },
    /// A record with length 000.
    #[error("record {0} has an empty value")]
    EmptyValue(Tag),
    /// A byte outside printable ASCII in a value.
    #[error("record {tag} holds byte 0x{byte:02x}, not printable ASCII")]
    NotPrintable {
        /// The tag.
        tag: Tag,
        /// The byte.
        byte: u8,
    },
    /// A tag seen twice.
    #[error("duplicate tag {tag} (first at byte {first})")]
    DuplicateTag {
        /// The tag.
        tag: Tag,
        /// Offset of its first occurrence.
        first: usize,
    },
    /// The first record is not `CZ`.
    #[error("first record is {0}, not the protocol version CZ")]
    MissingVersion(String),
}

/// Decodes V3 records with the given rules.
pub fn decode_records(
    input: &[u8],
    options: DecodeOptions,
) -> Result<Vec<TlvRecord<'_>>, DecodeError> {
    match decode_leading_records(input, options) {
        (records, None) => Ok(records),
        (_, Some(e)) => Err(e),
    }
}

/// Decodes records up to the first malformed one: the records before it,
/// and the error that stopped the walk (`None` when the input is whole).
/// What a terminal uses to echo what it could read of a broken request.
pub fn decode_leading_records(
    input: &[u8],
    options: DecodeOptions,
) -> (Vec<TlvRecord<'_>>, Option<DecodeError>) {
    let mut records: Vec<TlvRecord<'_>> = Vec::with_capacity(input.len() / 8 + 1);
    let error = walk_records(input, options, &mut records).err();
    (records, error)
}

fn walk_records<'a>(
    input: &'a [u8],
    options: DecodeOptions,
    records: &mut Vec<TlvRecord<'a>>,
) -> Result<(), DecodeError> {
    let err = |kind, offset| DecodeError { kind, offset };
    if input.is_empty() {
        return Err(err(DecodeErrorKind::Empty, 0));
    }
    let mut at = 0;
    while at < input.len() {
        let rest = &input[at..];
        if rest.len() < HEADER_LEN {
            return Err(err(
                DecodeErrorKind::TruncatedHeader {
                    available: rest.len(),
                },
                at,
            ));
        }
        let tag = Tag::new([rest[0], rest[1]])
            .map_err(|_| err(DecodeErrorKind::BadTag(latin1(&rest[..2]).into_owned()), at))?;
        let len_field = &rest[2..HEADER_LEN];
        if !len_field.iter().all(u8::is_ascii_digit) {
            return Err(err(
                DecodeErrorKind::BadLength(latin1(len_field).into_owned()),
                at + 2,
            ));
        }
        let len = len_field
            .iter()
            .fold(0usize, |n, d| n * 10 + usize::from(d - b'0'));
        let value_at = at + HEADER_LEN;
        let available = input.len() - value_at;
        if len > available {
            return Err(err(
                DecodeErrorKind::LengthOverrun {
                    tag,
                    len,
                    available,
                },
                at + 2,
            ));
        }
        let value = &input[value_at..value_at + len];
        if options.strict_values {
            if len == 0 {
                return Err(err(DecodeErrorKind::EmptyValue(tag), at));
            }
            if let Some(i) = value.iter().position(|b| !is_printable(*b)) {
                return Err(err(
                    DecodeErrorKind::NotPrintable {
                        tag,
                        byte: value[i],
                    },
                    value_at + i,
                ));
            }
        }
        if records.is_empty() && options.require_version_first && tag != super::tags::CZ {
            return Err(err(
                DecodeErrorKind::MissingVersion(tag.as_str().to_owned()),
                at,
            ));
        }
        if options.reject_duplicates
            && let Some(first) = records.iter().find(|r| r.tag == tag)
        {
            return Err(err(
                DecodeErrorKind::DuplicateTag {
                    tag,
                    first: first.offset,
                },
                at,
            ));
        }
        records.push(TlvRecord {
            tag,
            value,
            offset: at,
        });
        at = value_at + len;
    }
    Ok(())
}

/// What the bytes read so far from a stream (TCP has no end marker) hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamState<'a> {
    /// They end inside a record: more bytes are needed.
    Partial,
    /// Whole records.
    Complete(Vec<TlvRecord<'a>>),
    /// Malformed in a way more bytes cannot mend.
    Broken(DecodeError),
}

/// Reads bytes received so far as records, telling a message cut short
/// from one that is whole or hopeless.
pub fn stream_records(bytes: &[u8], options: DecodeOptions) -> StreamState<'_> {
    match decode_records(bytes, options) {
        Ok(records) => StreamState::Complete(records),
        Err(e) => match e.kind {
            DecodeErrorKind::Empty
            | DecodeErrorKind::TruncatedHeader { .. }
            | DecodeErrorKind::LengthOverrun { .. } => StreamState::Partial,
            _ => StreamState::Broken(e),
        },
    }
}

/// Whether a byte may appear in a V3 value (printable ASCII 0x20–0x7E).
pub fn is_printable(b: u8) -> bool {
    (0x20..=0x7e).contains(&b)
}

/// Why a record could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodeError {
    /// A value longer than 999 bytes.
    #[error("value of {tag} is {len} characters long; a record holds at most {MAX_VALUE_LEN}")]
    ValueTooLong {
        /// The tag.
        tag: Tag,
        /// Its length.
        len: usize,
    },
    /// An empty value: the tag must be left out instead.
    #[error("value of {0} is empty: leave the tag out instead")]
    EmptyValue(Tag),
    /// A byte outside printable ASCII.
    #[error(
        "value of {tag} holds byte 0x{byte:02x} at position {position}: only printable ASCII may be sent"
    )]
    NotPrintable {
        /// The tag.
        tag: Tag,
        /// The byte.
        byte: u8,
        /// Its position in the value.
        position: usize,
    },
    /// A tag given twice.
    #[error("tag {0} given twice: a tag appears at most once")]
    DuplicateTag(Tag),
    /// `CZ` given anywhere but first, or a message not starting with it.
    #[error("the protocol version CZ must be the first record (found {0} first)")]
    VersionNotFirst(Tag),
}

/// Builds a V3 message record by record, enforcing the protocol's rules:
/// `CZ` first, each tag once, values of 1..=999 printable ASCII bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageBuilder {
    bytes: Vec<u8>,
    tags: Vec<Tag>,
    top_level: bool,
}

impl MessageBuilder {
    /// A top-level message: the first record pushed must be `CZ`.
    pub fn new() -> MessageBuilder {
        MessageBuilder {
            bytes: Vec::with_capacity(128),
            tags: Vec::with_capacity(16),
            top_level: true,
        }
    }

    /// The content of a constructed (`Z*`) record: no `CZ` rule.
    pub fn nested() -> MessageBuilder {
        MessageBuilder {
            top_level: false,
            ..MessageBuilder::new()
        }
    }

    /// Appends one record.
    pub fn push(&mut self, tag: Tag, value: impl AsRef<[u8]>) -> Result<&mut Self, EncodeError> {
        let value = value.as_ref();
        if self.tags.contains(&tag) {
            return Err(EncodeError::DuplicateTag(tag));
        }
        if self.top_level {
            let is_version = tag == super::tags::CZ;
            if self.tags.is_empty() != is_version {
                return Err(EncodeError::VersionNotFirst(if is_version {
                    self.tags[0]
                } else {
                    tag
                }));
            }
        }
        if value.is_empty() {
            return Err(EncodeError::EmptyValue(tag));
        }
        if value.len() > MAX_VALUE_LEN {
            return Err(EncodeError::ValueTooLong {
                tag,
                len: value.len(),
            });
        }
        if let Some(position) = value.iter().position(|b| !is_printable(*b)) {
            return Err(EncodeError::NotPrintable {
                tag,
                byte: value[position],
                position,
            });
        }
        self.tags.push(tag);
        self.bytes.extend_from_slice(&tag.bytes());
        let len = value.len();
        self.bytes.extend_from_slice(&[
            b'0' + (len / 100) as u8,
            b'0' + (len / 10 % 10) as u8,
            b'0' + (len % 10) as u8,
        ]);
        self.bytes.extend_from_slice(value);
        Ok(self)
    }

    /// Whether a tag has been pushed.
    pub fn contains(&self, tag: Tag) -> bool {
        self.tags.contains(&tag)
    }

    /// The encoded bytes so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The encoded message.
    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v3::tags::*;

    #[test]
    fn decodes_without_copying_and_reencodes() {
        let input = b"CZ0040300CJ012247300123456CA00201CB00512345CD0010CE003978";
        let records = decode_records(input, DecodeOptions::STRICT).unwrap();
        assert_eq!(records.len(), 6);
        assert_eq!(records[3].tag, CB);
        assert_eq!(records[3].value, b"12345");
        assert_eq!(records[3].offset, 33);
        assert!(std::ptr::eq(
            records[3].value.as_ptr(),
            input[38..].as_ptr()
        ));
        let mut builder = MessageBuilder::new();
        for r in &records {
            builder.push(r.tag, r.value).unwrap();
        }
        assert_eq!(builder.finish(), input.to_vec());
    }

    fn kind_at(input: &[u8], options: DecodeOptions) -> (DecodeErrorKind, usize) {
        let e = decode_records(input, options).unwrap_err();
        (e.kind, e.offset)
    }

    #[test]
    fn errors_name_the_byte() {
        let s = DecodeOptions::STRICT;
        assert_eq!(kind_at(b"", s), (DecodeErrorKind::Empty, 0));
        assert_eq!(
            kind_at(b"CZ0040300CB", s),
            (DecodeErrorKind::TruncatedHeader { available: 2 }, 9)
        );
        assert_eq!(
            kind_at(b"CZ0040300CB0x4", s),
            (DecodeErrorKind::BadLength("0x4".into()), 11)
        );
        assert_eq!(
            kind_at(b"CZ0040300CB00912", s),
            (
                DecodeErrorKind::LengthOverrun {
                    tag: CB,
                    len: 9,
                    available: 2
                },
                11
            )
        );
        assert_eq!(
            kind_at(b"CZ0040300cb0021", s),
            (DecodeErrorKind::BadTag("cb".into()), 9)
        );
        assert_eq!(
            kind_at(b"CA00201CZ0040300", s),
            (DecodeErrorKind::MissingVersion("CA".into()), 0)
        );
        assert_eq!(
            kind_at(b"CZ0040300CA00201CA00202", s),
            (DecodeErrorKind::DuplicateTag { tag: CA, first: 9 }, 16)
        );
        assert_eq!(
            kind_at(b"CZ0040300CA000", s),
            (DecodeErrorKind::EmptyValue(CA), 9)
        );
        assert_eq!(
            kind_at(b"CZ0040300CF002a\x01", s),
            (DecodeErrorKind::NotPrintable { tag: CF, byte: 1 }, 15)
        );
    }

    #[test]
    fn tolerant_reading_keeps_duplicates_and_latin1() {
        let records = decode_records(
            b"CZ0040300CA00201CA00202CF002\xe9t",
            DecodeOptions::TOLERANT,
        )
        .unwrap();
        assert_eq!(records.len(), 4);
        assert_eq!(records[3].text(), "ét");
    }

    #[test]
    fn stream_state_tells_cut_from_whole_and_hopeless() {
        let t = DecodeOptions::TOLERANT;
        assert_eq!(stream_records(b"", t), StreamState::Partial);
        assert_eq!(stream_records(b"CZ004030", t), StreamState::Partial);
        assert_eq!(stream_records(b"CZ0040300AE", t), StreamState::Partial);
        assert!(matches!(
            stream_records(b"CZ0040300AE00210", t),
            StreamState::Complete(r) if r.len() == 2
        ));
        assert!(matches!(
            stream_records(b"CZ0040300ae00210", t),
            StreamState::Broken(_)
        ));
    }

    #[test]
    fn leading_records_stop_at_the_first_broken_one() {
        let (records, error) =
            decode_leading_records(b"CA00201CF003abcCB0x9", DecodeOptions::STRUCTURE_ONLY);
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].value, b"abc");
        assert_eq!(error.map(|e| e.offset), Some(17));
        let (records, error) = decode_leading_records(b"CA00201", DecodeOptions::STRUCTURE_ONLY);
        assert_eq!((records.len(), error), (1, None));
    }

    #[test]
    fn nested_records() {
        let input = b"CZ0040300ZT017CK003100AK004QUJD";
        let records = decode_records(input, DecodeOptions::STRICT).unwrap();
        let inner = records[1].nested(DecodeOptions::STRICT).unwrap();
        assert_eq!(inner[0].tag, CK);
        assert_eq!(inner[1].value, b"QUJD");
    }

    #[test]
    fn builder_enforces_rules() {
        let mut b = MessageBuilder::new();
        assert_eq!(
            b.push(CA, "01").unwrap_err(),
            EncodeError::VersionNotFirst(CA)
        );
        b.push(CZ, "0300").unwrap();
        assert_eq!(
            b.push(CZ, "0300").unwrap_err(),
            EncodeError::DuplicateTag(CZ)
        );
        assert_eq!(b.push(CF, "").unwrap_err(), EncodeError::EmptyValue(CF));
        assert!(matches!(
            b.push(CF, "a\u{e9}"),
            Err(EncodeError::NotPrintable { position: 1, .. })
        ));
        assert!(matches!(
            b.push(CF, vec![b'x'; 1000]),
            Err(EncodeError::ValueTooLong { len: 1000, .. })
        ));
        b.push(CF, vec![b'x'; 999]).unwrap();
        assert_eq!(&b.as_bytes()[9..14], b"CF999");
        assert_eq!(Tag::parse("C").unwrap_err(), InvalidTag([b'C', 0]));
        assert!(Tag::parse("C1").is_err());
    }
}
