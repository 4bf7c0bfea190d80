//! Compile tests for the macros live in `tests/`; this library is empty.
