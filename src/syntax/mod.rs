//! Parsing: text → AST (placeholder until the parser lands).
