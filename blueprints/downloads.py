"""Serving stored documents: the exact bytes issued, never re-rendered."""

from flask import Response, abort, request


def stored_pdf(document) -> Response:
    """Answer with the stored PDF of an invoice or credit note, cacheable by its SHA-256."""
    data = document.pdf  # a deferred column: loaded only here
    if data is None:
        abort(404)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    response.set_etag(document.pdf_sha256)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response.make_conditional(request)
