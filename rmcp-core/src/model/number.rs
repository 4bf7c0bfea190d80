//! How `f64` fields are written on the wire.
//!
//! JSON has a single number type and most peers (JavaScript ones in particular) never write `1.0`
//! for one. serde would write every `f64` with a fraction, so a `1` read from a peer would come
//! back as `1.0` and examples would not round-trip. Fields of schema type `number` therefore
//! serialize through this module: whole values as integers, everything else as written by serde.

use serde::Serializer;

/// 2^53: up to here every whole `f64` converts to `i64` exactly; beyond it the fraction test says
/// nothing about the value the peer meant, so it is left to serde.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// Serialize an `f64`, whole values as JSON integers (`serialize_with = "number::serialize"`).
pub(crate) fn serialize<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() <= MAX_EXACT {
        s.serialize_i64(*value as i64)
    } else {
        s.serialize_f64(*value)
    }
}

/// [`serialize`] for an optional field (`serialize_with = "number::serialize_option"`).
pub(crate) fn serialize_option<S: Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serialize(value, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Serializer;

    fn written(value: f64) -> String {
        let mut out = Vec::new();
        super::serialize(&value, &mut Serializer::new(&mut out)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn whole_values_are_integers_and_others_are_untouched() {
        assert_eq!(written(50.0), "50");
        assert_eq!(written(-3.0), "-3");
        assert_eq!(written(0.25), "0.25");
        assert_eq!(written(9_007_199_254_740_992.0), "9007199254740992");
        assert_eq!(written(1e300), serde_json::to_string(&1e300).unwrap());
    }
}
