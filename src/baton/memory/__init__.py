"""Review memory: what an earlier run of baton on the same pull or merge request decided, read
back from its own comment, and what this run does with it.

* `state`: the versioned record kept at the end of baton's comment (heads, per-agent heads,
  per-finding status), its compact encoding and reading it back with a reason when it
  cannot be used;
* `interdiff`: what the commits since the last reviewed head changed, and earlier findings
  moved through it;
* `plan`: full, incremental or remembered review for the model agents, and why;
* `dismissals`: `/baton dismiss <reason>` replies, and which of them count.
"""
