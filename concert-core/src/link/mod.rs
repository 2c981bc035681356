//! Serial link layer (being written).
