//! Helpers for the unit tests of the model types.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Read `text` as a `T`, check that writing it back gives the same JSON, and return it.
///
/// Compares JSON values, not text, so that key order and white space in examples do not matter.
pub(crate) fn round_trip<T: DeserializeOwned + Serialize>(text: &str) -> T {
    let value: Value = serde_json::from_str(text).unwrap();
    let typed: T = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), value);
    typed
}
