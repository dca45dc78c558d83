"""The GraphQL gateway: one API over the four services for the front ends and the national platform."""
