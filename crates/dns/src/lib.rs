//! mailshift-dns (placeholder, being written).
