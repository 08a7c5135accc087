"""Python side of Py Contexts: the runtime the embedded interpreter imports at start-up
(runtime), rich display for notebooks (display) and editor helpers (editor)."""
