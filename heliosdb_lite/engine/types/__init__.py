"""PostgreSQL's types as the engine sees them: OIDs and typmods (`pgtypes`), how each type's values
are kept in SQLite (`value_storage`), casts and where PostgreSQL makes them (`casts`,
`cast_contexts`), the type of an expression (`typing_rules`, `array_typing`) and type names."""
