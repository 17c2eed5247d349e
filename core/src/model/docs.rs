//! Documentation derived from the declarations: the field tables of
//! `rules/CONTRACT.md` and the TypeScript types of the WebAssembly package.
//! Tests compare both files with what these functions render, so neither can
//! drift from the declarations.
