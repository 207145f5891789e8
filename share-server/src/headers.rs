//! Security headers sent on every response.
//!
//! The Content-Security-Policy only allows same-origin scripts, styles and connections.
//! `'wasm-unsafe-eval'` is the narrowest source that lets the page compile its
//! WebAssembly module; it does not enable JavaScript `eval`. `blob:`/`data:` are allowed
//! for images, fetches and workers because the viewer builds those from in-memory data.

use axum::extract::Request;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// Directives shared by every page; only `frame-ancestors` differs between routes.
const BASE_DIRECTIVES: &[&str] = &[
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    // `https:`/`http:` only so that "open a model from a URL" can fetch what the user
    // typed; the page's own code never contacts another origin by itself.
    "connect-src 'self' https: http: blob: data:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
];

/// Builds the Content-Security-Policy value.
///
/// `allow_framing` is for pages meant to be embedded on other sites (the future `/e/`
/// routes get `frame-ancestors *`); everything else refuses to be framed, which is what
/// protects it from clickjacking.
pub fn content_security_policy(allow_framing: bool) -> HeaderValue {
    let frame_ancestors = if allow_framing { "frame-ancestors *" } else { "frame-ancestors 'none'" };
    let policy = BASE_DIRECTIVES.iter().copied().chain([frame_ancestors]).collect::<Vec<_>>().join("; ");
    HeaderValue::try_from(policy).expect("CSP is built from constant visible-ASCII strings")
}

/// Headers that are the same on every response, whatever the route.
fn fixed_headers() -> [(HeaderName, HeaderValue); 4] {
    [
        // Browsers must trust our Content-Type and never guess (e.g. run an upload as a script).
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        // Share URLs may carry secrets; never leak them to other sites.
        (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ),
        // Isolates our browsing context from windows we open or that open us.
        (HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin")),
    ]
}

/// Middleware adding the security headers to every response.
///
/// The fixed headers always overwrite whatever an inner handler set. The CSP is only
/// added when absent, so that a route that may be framed can set its own
/// `content_security_policy(true)` in an inner layer; every other route gets the
/// non-frameable policy.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in fixed_headers() {
        headers.insert(name, value);
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, content_security_policy(false));
    }
    // Responses that set no caching rule of their own (405s from the router, a
    // DELETE's 204) are not stored: nothing here is worth caching by accident.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_is_exact() {
        assert_eq!(
            content_security_policy(false),
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' blob: data:; connect-src 'self' https: http: blob: data:; \
             worker-src 'self' blob:; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'"
        );
    }

    #[test]
    fn frameable_policy_differs_only_in_frame_ancestors() {
        let framed = content_security_policy(true);
        let framed = framed.to_str().expect("ascii");
        let denied = content_security_policy(false);
        let denied = denied.to_str().expect("ascii");
        assert!(framed.ends_with("; frame-ancestors *"));
        assert_eq!(framed.trim_end_matches("frame-ancestors *"), denied.trim_end_matches("frame-ancestors 'none'"));
    }
}
