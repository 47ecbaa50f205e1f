"""Models of scans."""
