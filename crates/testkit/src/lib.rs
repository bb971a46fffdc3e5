//! mailshift-testkit (placeholder, being written).
