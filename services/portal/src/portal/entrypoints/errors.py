"""What a page shows when something goes wrong: a visitor who must sign in is sent to
/sign-in, an API's 401 (token ended, partner suspended) ends the session, a refusal or a
missing page is a page in the person's language, never a JSON body."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from ..adapters.api import ApiError
from ..i18n import gettext_for
from ..rendering import flash, render
from ..session import CsrfFailed, SignInRequired, sign_out


def _to_sign_in(request: Request, next_path: str | None) -> RedirectResponse:
    target = "/sign-in" + (f"?next={quote(next_path, safe='')}" if next_path else "")
    return RedirectResponse(target, status_code=303)


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    if exc.message:
        flash(request, exc.message, "error")
    return _to_sign_in(request, exc.next_path)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    _ = gettext_for(request)
    if exc.status == 401:
        sign_out(request)
        flash(request, _("Your session has ended. Please sign in again."), "error")
        return _to_sign_in(request, request.url.path if request.method == "GET" else None)
    status = exc.status if exc.status < 500 else 502
    title = _("Not allowed") if exc.status == 403 else _("Something went wrong")
    if exc.status == 404:
        title = _("Not found")
    if exc.status >= 500:
        title = _("A service is unavailable")
    message = exc.message
    if exc.status == 429:
        title = _("Too many attempts")
        message = _("Please wait a minute, then try again.")
    return render(request, "error.html", status_code=status, title=title, message=message)


async def _csrf_failed(request: Request, exc: Exception) -> Response:
    _ = gettext_for(request)
    message = _("The form had expired or did not come from this site. Please try again.")
    return render(request, "error.html", status_code=403, title=_("Not allowed"), message=message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    _ = gettext_for(request)
    titles = {404: _("Not found"), 405: _("Not allowed"), 403: _("Not allowed")}
    title = titles.get(exc.status_code, _("Something went wrong"))
    message = _("There is no page at this address.") if exc.status_code == 404 else ""
    if exc.status_code not in titles and isinstance(exc.detail, str):
        message = exc.detail
    return render(request, "error.html", status_code=exc.status_code, title=title, message=message)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A bug: logged (with its traceback, never the form's values), and a page that says so."""
    request.app.state.log.exception("page_failed", path=request.url.path, error=type(exc).__name__)
    _ = gettext_for(request)
    message = _("The page could not be made. Please try again in a moment.")
    return render(
        request, "error.html", status_code=500, title=_("Something went wrong"), message=message
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(CsrfFailed, _csrf_failed)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
