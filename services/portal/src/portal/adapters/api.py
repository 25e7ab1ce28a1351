"""One client per upstream API (registry, commitments, monitoring), called with the signed-in
person's token; every problem answer becomes an `ApiError` in the platform's error shape."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx

#: The address of the person whose page is being made (set per request by the app): sent on
#: as X-Forwarded-For, so the registry counts a visitor's sign-in attempts per visitor, not
#: every visitor's together as the portal's own.
client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


class ApiError(Exception):
    """A 4xx/5xx answer (or no answer: status 503, code `unavailable`)."""

    def __init__(
        self,
        status: int,
        code: str,
        field: str | None,
        message: str,
        problems: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.field = field
        self.message = message
        #: a 422's every problem: `{"field", "rule", "message"}`
        self.problems = problems or []


class ApiClient:
    """`await client.get("/partners", token=...)` -> the decoded JSON (None for 204)."""

    def __init__(self, name: str, base_url: str, timeout: float = 15.0) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)

    async def get(
        self, path: str, *, token: str | None = None, params: dict[str, Any] | None = None
    ) -> Any:
        return await self.request("GET", path, token=token, params=params)

    async def post(
        self,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        return await self.request(
            "POST", path, token=token, json=json, params=params, headers=headers
        )

    async def patch(
        self,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        return await self.request(
            "PATCH", path, token=token, json=json, params=params, headers=headers
        )

    async def delete(
        self,
        path: str,
        *,
        token: str | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        return await self.request("DELETE", path, token=token, params=params, headers=headers)

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if (address := client_address.get()) is not None:
            sent.setdefault("X-Forwarded-For", address)
        if params is not None:
            params = {key: value for key, value in params.items() if value is not None}
        try:
            response = await self._http.request(
                method, path, json=json, params=params, headers=sent
            )
        except httpx.HTTPError as exc:
            raise ApiError(
                503, "unavailable", None, f"the {self.name} service is unavailable"
            ) from exc
        if response.status_code >= 400:
            raise _problem(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    async def text(
        self, path: str, *, token: str | None = None, params: dict[str, Any] | None = None
    ) -> str:
        """A download's body as text (a CSV the service writes), where `get` decodes JSON."""
        sent = {"Authorization": f"Bearer {token}"} if token is not None else {}
        if (address := client_address.get()) is not None:
            sent["X-Forwarded-For"] = address
        try:
            response = await self._http.get(path, params=params, headers=sent)
        except httpx.HTTPError as exc:
            raise ApiError(
                503, "unavailable", None, f"the {self.name} service is unavailable"
            ) from exc
        if response.status_code >= 400:
            raise _problem(response)
        return response.text

    async def healthy(self) -> bool:
        try:
            return (await self._http.get("/health", timeout=2.0)).status_code == 200
        except httpx.HTTPError:
            return False

    async def aclose(self) -> None:
        await self._http.aclose()


def _problem(response: httpx.Response) -> ApiError:
    """`{"error": {"code", "message", "field"}}`, as every service answers a problem."""
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    if not isinstance(error, dict):
        error = {}
    return ApiError(
        response.status_code,
        str(error.get("code") or "error"),
        error.get("field"),
        str(error.get("message") or response.reason_phrase or "error"),
        [p for p in error.get("problems") or [] if isinstance(p, dict)],
    )


@dataclass
class Apis:
    """`request.app.state.apis`: the three upstream APIs, opened with the app's lifespan."""

    registry: ApiClient
    commitments: ApiClient
    monitoring: ApiClient

    def all(self) -> tuple[ApiClient, ...]:
        return (self.registry, self.commitments, self.monitoring)

    async def aclose(self) -> None:
        for client in self.all():
            await client.aclose()
