//! Where the transport's requests may be redirected: within the endpoint's origin only.

use super::MAX_REDIRECTS;

/// The default HTTP client: a redirect to another origin is not followed but answered as it is
/// (the request then fails, naming the redirect): a server must not be able to send the
/// client's messages, session id and credentials to a host of its choosing. reqwest's own
/// default follows ten redirects anywhere.
pub(super) fn same_origin_client() -> reqwest::Client {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(reqwest::Url::origin);
        if first.as_ref() != Some(&attempt.url().origin()) || attempt.previous().len() > MAX_REDIRECTS {
            attempt.stop()
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder().redirect(policy).build().expect("the HTTP client's TLS backend could not be initialized")
}
