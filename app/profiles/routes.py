"""The profile over HTTP: /profile, one per user."""

from __future__ import annotations

from litestar import Response, delete, get, patch, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from app.http.auth import UserController, UserId
from app.http.etag import ETAG_HEADER, IfMatch, conditionally, found, with_etag
from app.http.openapi import errors
from app.kit.errors import AccountGone, ErrorDetails, PreconditionFailed, not_found
from app.profiles.models import Profile, ProfileUpdate, ProfileWrite
from app.profiles.repository import ProfileRepository

Profiles = NamedDependency[ProfileRepository]

_not_found = not_found("profile")


def _nothing_to_match() -> PreconditionFailed:
    return PreconditionFailed("there is no profile for If-Match to match",
                              extra=ErrorDetails(header="If-Match"))


class ProfileController(UserController):
    path = "/profile"
    tags = ["profile"]

    @put("/", operation_id="putProfile", response_headers=ETAG_HEADER, responses={
        **errors(401, 412), 201: ResponseSpec(data_container=Profile, description="Created")})
    async def put_profile(self, data: JSONBody[ProfileWrite], user_id: UserId,
                          profiles: Profiles, if_match: IfMatch = None) -> Response[Profile]:
        """Create the profile (201) or replace it whole (200); its targets are computed in the
        same statement. With If-Match, only replace a profile at that version (412 otherwise,
        also when there is none)."""
        if if_match is None:
            created, profile = found(await profiles.put(user_id=user_id, profile=data),
                                     AccountGone)
            return with_etag(profile, 201 if created else 200)
        profile = await conditionally(
            if_match,
            lambda versions: profiles.replace(user_id=user_id, profile=data, if_match=versions),
            lambda: profiles.version(user_id=user_id), _nothing_to_match,
        )
        return with_etag(profile)

    @get("/", operation_id="getProfile", responses=errors(401, 404), response_headers=ETAG_HEADER)
    async def get_profile(self, user_id: UserId, profiles: Profiles) -> Response[Profile]:
        """The caller's profile with its targets and age; 404 before the first PUT."""
        return with_etag(found(await profiles.get(user_id=user_id), _not_found))

    @patch("/", operation_id="updateProfile", responses=errors(401, 404, 412),
           response_headers=ETAG_HEADER)
    async def update_profile(self, data: JSONBody[ProfileUpdate], user_id: UserId,
                             profiles: Profiles, if_match: IfMatch = None) -> Response[Profile]:
        """Change the fields sent; the targets are recomputed in the same statement (with the
        age on the local today). With If-Match, only at that version (else 412)."""
        profile = await conditionally(
            if_match,
            lambda versions: profiles.update(user_id=user_id, patch=data, if_match=versions),
            lambda: profiles.version(user_id=user_id), _not_found,
        )
        return with_etag(profile)

    @delete("/", operation_id="deleteProfile", responses=errors(401, 404, 412))
    async def delete_profile(self, user_id: UserId, profiles: Profiles,
                             if_match: IfMatch = None) -> None:
        """Delete the profile; days already started keep their targets."""
        await conditionally(
            if_match,
            lambda versions: profiles.delete(user_id=user_id, if_match=versions),
            lambda: profiles.version(user_id=user_id), _not_found,
        )
