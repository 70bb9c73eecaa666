// GOV.UK Frontend's template does this in an inline script as the body's first child; we load it from a
// file in the same place, so the Content-Security-Policy can forbid inline scripts.
document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) document.body.classList.add("govuk-frontend-supported");
