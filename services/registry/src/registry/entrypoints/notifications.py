"""A person's email preferences for alerts (issue 16): GET and PUT /users/me/notifications.
Each change is published (PersonUpdated on registry.partner-events.v1) in the transaction that
stores it; monitoring mails alerts by them."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from pact_common.http import problems

from ..domain import account_commands as commands
from ..domain.accounts import User
from ..service_layer import accounts as handlers
from .accounts import _me
from .services import Svc, unit_of_work
from .trust import OwnPrincipal

router = APIRouter(tags=["accounts"])
Mode = Literal["immediately", "daily", "off"]
MODES = "immediately (grouped, within a short wait), daily (the 08:00 UTC digest) or off"


class Notifications(BaseModel):
    """How the signed-in person wants alerts by email, per severity."""

    critical: Mode = Field(description=f"Critical alerts: {MODES}.", examples=["immediately"])
    warning: Mode = Field(description=f"Warning alerts: {MODES}.", examples=["immediately"])
    info: Mode = Field(description=f"Informational alerts: {MODES}.", examples=["daily"])

    @classmethod
    def of(cls, user: User) -> Notifications:
        return cls.model_validate(user.notifications)


class NotificationChanges(BaseModel):
    """The severities to change; those left out keep their mode."""

    model_config = ConfigDict(extra="forbid")

    critical: Mode | None = Field(default=None, examples=["immediately"])
    warning: Mode | None = Field(default=None, examples=["daily"])
    info: Mode | None = Field(default=None, examples=["off"])


@router.get(
    "/users/me/notifications", response_model=Notifications, responses=problems(401, 403, 404)
)
async def notifications(principal: OwnPrincipal, svc: Svc) -> Notifications:
    """The signed-in person's email preferences (new accounts: immediately for critical and
    warning, daily for info)."""
    return Notifications.of(await handlers.me(_me(principal), unit_of_work(svc)))


@router.put(
    "/users/me/notifications",
    response_model=Notifications,
    responses=problems(401, 403, 404, 409, 413, 422),
)
async def set_notifications(
    body: NotificationChanges, principal: OwnPrincipal, svc: Svc
) -> Notifications:
    """Change the signed-in person's email preferences; a viewer too."""
    cmd = commands.SetNotifications(_me(principal), body.model_dump(exclude_none=True))
    return Notifications.of(await handlers.set_notifications(cmd, unit_of_work(svc)))
