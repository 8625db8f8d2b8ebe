"""The pure calculation core: no file, terminal or network I/O."""
