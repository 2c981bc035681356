//! Concert V2 (being written).
