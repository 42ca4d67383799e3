"""baton on GitHub Actions: pull-request events, one sticky comment and inline reviews."""
