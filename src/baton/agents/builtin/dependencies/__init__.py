"""The built-in `dependencies` agent: the packages a change adds to manifests and lockfiles."""
