"""Everything that speaks HTTP to people: the Chainlit adapter (callbacks, sink, data layer, the
one approvals UI), Entra sign-in, live progress and charts."""
