//! mailshift-sandbox (placeholder, being written).
