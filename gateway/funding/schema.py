"""The funding part of the GraphQL schema: queries and mutations of this domain."""


class FundingQuery:
    pass


class FundingMutation:
    pass
