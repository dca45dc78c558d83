"""Who may call the county API: county systems, by bearer token (POST /oauth/token) or X-API-Key. The
county in the client's scope is the only county it may push (enrollment refuses any other)."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import APIKeyHeader, OAuth2

from gateway.oauth import MachineCaller, machine_caller
from szcore.auth import Role

# Declared for the OpenAPI document (security schemes); the check itself is machine_caller's.
oauth2 = OAuth2(
    flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl="/oauth/token", scopes={})),
    scheme_name="clientCredentials",
    auto_error=False,
)
api_key = APIKeyHeader(name="X-API-Key", scheme_name="apiKey", auto_error=False)


async def county_caller(
    request: Request,
    _token: Annotated[str | None, Depends(oauth2)],
    _key: Annotated[str | None, Depends(api_key)],
) -> MachineCaller:
    return machine_caller(request, Role.county_system)


CountyCaller = Annotated[MachineCaller, Depends(county_caller)]
