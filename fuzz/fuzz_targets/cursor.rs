//! Pagination cursors: foreign ones refused or in range, our own cover the list once.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rmcp_core::__fuzz::cursor(data));
