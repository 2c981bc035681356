//! Concert V3 (being written).
