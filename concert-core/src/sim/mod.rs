//! Terminal simulator (being written).
