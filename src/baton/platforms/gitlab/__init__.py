"""baton on GitLab CI: merge-request pipelines, one sticky note and line discussions."""
