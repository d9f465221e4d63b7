"""The dashboard's routes, one module per area; each calls library functions and renders a page."""
