"""Security headers on every response."""

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline scripts at all: the page shell sets js-enabled from a file
        "style-src 'self'",
        "img-src 'self' data:",  # page images come through the app on every storage backend, never a bucket
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_security_headers(app: Flask) -> None:
    report_only = app.config["CSP_REPORT_ONLY"]
    csp_header = "Content-Security-Policy-Report-Only" if report_only else "Content-Security-Policy"

    @app.after_request
    def _add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault(csp_header, CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            # Pages show people's details: keep them out of shared caches and the back-button cache.
            headers.setdefault("Cache-Control", "no-store")
        return response
