"""SQL text before translation: tokens, statements and sqlglot trees (`parsing`, `dialect`), the
statements read word by word (`statement_words`, `utility`, `copy_statement`), and what the text
says that a parsed tree loses (`escape_strings`, `to_char_templates`, `literal_normalisation`)."""
