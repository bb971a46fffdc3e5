//! mailshift-panel (placeholder, being written).
