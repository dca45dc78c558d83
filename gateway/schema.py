import strawberry

from gateway.assessment.schema import AssessmentMutation, AssessmentQuery
from gateway.enrollment.schema import EnrollmentMutation, EnrollmentQuery
from gateway.errors import ErrorCodes
from gateway.funding.schema import FundingMutation, FundingQuery
from gateway.matching.schema import MatchingMutation, MatchingQuery


@strawberry.type(description="Shuzhuan (数转) queries")
class Query(EnrollmentQuery, AssessmentQuery, MatchingQuery, FundingQuery):
    pass


@strawberry.type(description="Shuzhuan (数转) mutations")
class Mutation(EnrollmentMutation, AssessmentMutation, MatchingMutation, FundingMutation):
    pass


schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[ErrorCodes])
