"""The matching part of the GraphQL schema: queries and mutations of this domain."""


class MatchingQuery:
    pass


class MatchingMutation:
    pass
