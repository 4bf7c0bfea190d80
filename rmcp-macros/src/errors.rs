//! Accumulated diagnostics: every problem in a router is reported in one compile, each at the
//! token that causes it, instead of stopping at the first.

use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

/// What an error points at: a span, or tokens (a type, a path) underlined whole. On stable a
/// single `Span` cannot cover several tokens, but `syn::Error::new_spanned` keeps the first and
/// last token's spans, so `&str` is underlined as `&str` and not as `&`.
pub(crate) trait Blame {
    fn error(self, message: String) -> syn::Error;
}

impl Blame for Span {
    fn error(self, message: String) -> syn::Error {
        syn::Error::new(self, message)
    }
}

impl<T: ToTokens> Blame for &T {
    fn error(self, message: String) -> syn::Error {
        syn::Error::new_spanned(self, message)
    }
}

/// A growing set of `syn::Error`s, combined into one so each renders as its own `compile_error!`.
#[derive(Default)]
pub(crate) struct Errors {
    combined: Option<syn::Error>,
}

impl Errors {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Add an error as it is.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(all) => all.combine(error),
            None => self.combined = Some(error),
        }
    }

    /// Add `message` at `at`.
    pub(crate) fn at(&mut self, at: impl Blame, message: impl Display) {
        self.push(at.error(message.to_string()));
    }

    /// Add `message` at `at`, followed by a `help:` line saying how to fix it.
    pub(crate) fn with_help(&mut self, at: impl Blame, message: impl Display, help: impl Display) {
        self.push(at.error(format!("{message}\nhelp: {help}")));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.combined.is_none()
    }

    /// The `compile_error!` invocations, or nothing.
    pub(crate) fn to_compile_errors(&self) -> TokenStream {
        self.combined.as_ref().map(syn::Error::to_compile_error).unwrap_or_default()
    }

    /// Messages only, for unit tests.
    #[cfg(test)]
    pub(crate) fn messages(&self) -> Vec<String> {
        self.combined.iter().flat_map(|e| e.clone().into_iter().map(|e| e.to_string())).collect()
    }
}
