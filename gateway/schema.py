import strawberry

from gateway.enrollment.schema import EnrollmentMutation, EnrollmentQuery
from gateway.errors import ErrorCodes


@strawberry.type(description="Shuzhuan (数转) queries")
class Query(EnrollmentQuery):
    pass


@strawberry.type(description="Shuzhuan (数转) mutations")
class Mutation(EnrollmentMutation):
    pass


schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[ErrorCodes])
