//! Every model type (picked by the first byte): what parses round-trips.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rmcp_core::__fuzz::model(data));
