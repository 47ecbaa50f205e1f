"""Follow-up letters and judicial cases (issue 6 fills this in)."""
