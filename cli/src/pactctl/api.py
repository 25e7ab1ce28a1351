"""The platform's HTTP APIs, as a partner system or the secretariat calls them: an API key is
exchanged once for a token (POST /auth/token on the registry), then sent as a bearer token."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

import httpx

Service = Literal["registry", "commitments", "monitoring"]

#: where the registry takes the current API key for a change a token alone may not make
STEP_UP_HEADER = "X-Api-Key"

#: Tests put an httpx.MockTransport here to answer instead of the services.
TRANSPORT: httpx.BaseTransport | None = None

#: A request refused as rate_limited (429) is asked again after its Retry-After, this many
#: times at most, when the wait is at most this many seconds; then the 429 is reported.
RATE_LIMITED_RETRIES = 3
RATE_LIMITED_MAX_WAIT = 60.0
#: How pactctl waits (tests put a recorder here).
SLEEP: Callable[[float], None] = time.sleep
#: refusals that last only until a service hears of a partner's approval (over Kafka)
NOT_YET_KNOWN = frozenset({"unknown_partner", "partner_not_active", "not_a_member"})

T = TypeVar("T")


class ApiError(Exception):
    """A service refused a request, or could not be reached."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        field: str | None = None,
        problems: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field = field
        self.problems = problems or []
        #: API field -> the flag or file key the user wrote it as (errors.explain)
        self.names: dict[str, str] = {}

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        status = f"{self.status} {self.code}: " if self.status else ""
        return f"{status}{self.message}{where}"


@dataclass(frozen=True)
class Token:
    access_token: str
    role: str
    partner_id: str | None
    expires_in: int


@dataclass
class Platform:
    """One HTTP client for the three services. `with_key` gives a view acting as another
    partner (sharing the connection pool)."""

    urls: dict[str, str]
    api_key: str | None = None
    timeout: float = 10.0
    _http: httpx.Client | None = field(default=None, repr=False)
    _token: Token | None = field(default=None, repr=False)

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(timeout=self.timeout, transport=TRANSPORT)
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def with_key(self, api_key: str) -> Platform:
        return replace(self, api_key=api_key, _http=self.http, _token=None)

    def token(self) -> Token:
        """The token for this API key, asked for once."""
        if self._token is None:
            if not self.api_key:
                raise ApiError(
                    "no API key: give --api-key or set PACT_API_KEY (a partner's key, answered "
                    "once by pactctl register, or the secretariat's admin key: "
                    "REGISTRY_ADMIN_API_KEY, locally dev-secretariat-key-not-for-production)"
                )
            body = self.call(
                "registry", "POST", "/auth/token", {"api_key": self.api_key}, auth=False
            )
            self._token = Token(
                body["access_token"], body["role"], body.get("partner_id"), body["expires_in"]
            )
        return self._token

    def step_up(self) -> dict[str, str]:
        """The headers of a change a token alone may not make (a new API key, a withdrawal,
        another webhook URL or signing key): the current API key, beside the token."""
        self.token()  # no key: the same error as for any call
        return {STEP_UP_HEADER: self.api_key or ""}

    def get(self, service: Service, path: str, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        return self.call(service, "GET", path, params=query)

    def text(self, service: Service, path: str, **params: Any) -> str:
        """A GET whose answer is text (a CSV), not JSON."""
        query = {k: v for k, v in params.items() if v is not None}
        return str(self.call(service, "GET", path, params=query, raw=True))

    def post(self, service: Service, path: str, body: Any = None, *, step_up: bool = False) -> Any:
        """POST a body; `step_up`: with the current API key (Platform.step_up)."""
        headers = self.step_up() if step_up else None
        return self.call(service, "POST", path, body if body is not None else {}, headers=headers)

    def call(
        self,
        service: Service,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        raw: bool = False,
    ) -> Any:
        url = self.urls[service].rstrip("/") + path
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = f"Bearer {self.token().access_token}"
        for attempt in range(1 + RATE_LIMITED_RETRIES):
            try:
                response = self.http.request(method, url, json=body, params=params, headers=headers)
            except httpx.HTTPError as exc:
                raise ApiError(f"cannot reach the {service} service at {url}: {exc}") from exc
            wait = _retry_after(response)
            if wait is None or attempt == RATE_LIMITED_RETRIES:
                break
            SLEEP(wait)
        if response.status_code >= 400:
            raise _error(service, response)
        if raw:
            return response.text
        if not response.content:
            return None
        return response.json()


def _retry_after(response: httpx.Response) -> float | None:
    """How long to wait before asking again: a 429's Retry-After (seconds), if it is one
    worth waiting for; None otherwise (then the 429 is reported, as any refusal)."""
    if response.status_code != 429:
        return None
    try:
        seconds = float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return seconds if 0 <= seconds <= RATE_LIMITED_MAX_WAIT else None


def _error(service: str, response: httpx.Response) -> ApiError:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    if not isinstance(error, dict) or "message" not in error:
        if response.status_code in (404, 405):
            request = response.request
            return ApiError(
                f"the {service} service does not serve {request.method} {request.url.path}",
                status=response.status_code,
                code="no_such_endpoint",
            )
        text = response.text[:300] or response.reason_phrase
        return ApiError(f"{service}: {text}", status=response.status_code, code="http_error")
    return ApiError(
        error["message"],
        status=response.status_code,
        code=error.get("code"),
        field=error.get("field"),
        problems=error.get("problems"),
    )


def while_refused(
    call: Callable[[], T], passing: Callable[[ApiError], bool], seconds: float, pause: float = 0.3
) -> T:
    """`call()`, asked again every `pause` seconds for up to `seconds` while it is refused
    with an error that `passing` says will pass (news on its way over Kafka)."""
    end = time.monotonic() + seconds
    while True:
        try:
            return call()
        except ApiError as exc:
            if not passing(exc) or time.monotonic() > end:
                raise
            time.sleep(pause)
