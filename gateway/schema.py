from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from gateway.assessment.schema import AssessmentMutation, AssessmentQuery
from gateway.descriptions import describe
from gateway.enrollment.schema import EnrollmentMutation, EnrollmentQuery
from gateway.errors import ErrorCodes, apply_code
from gateway.funding.schema import FundingMutation, FundingQuery
from gateway.matching.schema import MatchingMutation, MatchingQuery
from gateway.performance.schema import PerformanceQuery
from gateway.scalars import SCALAR_MAP
from gateway.subscriptions import Subscription
from gateway.sync.schema import SyncMutation, SyncQuery
from szcore.settings import Environment, Settings

CONFIG = StrawberryConfig(scalar_map=SCALAR_MAP)


@strawberry.type(description="Shuzhuan (数转) queries")
class Query(EnrollmentQuery, AssessmentQuery, MatchingQuery, FundingQuery, PerformanceQuery, SyncQuery):
    pass


@strawberry.type(description="Shuzhuan (数转) mutations")
class Mutation(EnrollmentMutation, AssessmentMutation, MatchingMutation, FundingMutation, SyncMutation):
    pass


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Also reached by subscription results, which schema extensions do not see. No logging here:
        # apply_code logs unexpected errors, and refused queries are the caller's problem, not log noise.
        for error in errors:
            apply_code(error)


def build_schema(settings: Settings) -> strawberry.Schema:
    extensions: list[Any] = [
        ErrorCodes,
        lambda: MaxTokensLimiter(settings.gateway_max_tokens),
        lambda: QueryDepthLimiter(settings.gateway_max_depth),
        lambda: MaxAliasesLimiter(settings.gateway_max_aliases),
    ]
    if settings.env == Environment.prod:
        extensions.append(DisableIntrospection)
    built = GatewaySchema(
        query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions, config=CONFIG
    )
    describe(built._schema)
    return built


# The settings-independent schema, for exporting its SDL.
schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription, config=CONFIG)
describe(schema._schema)
