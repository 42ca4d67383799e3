"""One review over many CI jobs: each job reviews a share of the change (`--shard K/N`), and
`baton merge` combines their reports into one gate and one comment."""
