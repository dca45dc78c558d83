"""The assessment part of the GraphQL schema: queries and mutations of this domain."""


class AssessmentQuery:
    pass


class AssessmentMutation:
    pass
