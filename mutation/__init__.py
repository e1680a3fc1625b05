"""Support for `make mutation` (mutmut); see the "Mutation score" section of docs/testing.md."""
