"""Models of anpr."""
