//! Accumulated diagnostics: every problem in a router is reported in one compile, each at the
//! token that causes it, instead of stopping at the first.

use std::fmt::Display;

use proc_macro2::{Span, TokenStream};

/// A growing set of `syn::Error`s, combined into one so each renders as its own `compile_error!`.
#[derive(Default)]
pub struct Errors {
    combined: Option<syn::Error>,
}

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add an error as it is.
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(all) => all.combine(error),
            None => self.combined = Some(error),
        }
    }

    /// Add `message` at `span`.
    pub fn at(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Add `message` at `span`, followed by a `help:` line saying how to fix it.
    pub fn with_help(&mut self, span: Span, message: impl Display, help: impl Display) {
        self.push(syn::Error::new(span, format!("{message}\nhelp: {help}")));
    }

    pub fn is_empty(&self) -> bool {
        self.combined.is_none()
    }

    /// The `compile_error!` invocations, or nothing.
    pub fn to_compile_errors(&self) -> TokenStream {
        self.combined.as_ref().map(syn::Error::to_compile_error).unwrap_or_default()
    }

    /// Messages only, for unit tests.
    #[cfg(test)]
    pub fn messages(&self) -> Vec<String> {
        self.combined.iter().flat_map(|e| e.clone().into_iter().map(|e| e.to_string())).collect()
    }
}
