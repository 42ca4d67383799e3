"""How often baton's review finds what a security reviewer would demand, and how often it
cries wolf: a labelled corpus of vulnerable changes (`cases/`), ordinary commits of public
projects (`benign.toml`) and the runner, `python -m bench.accuracy`."""
