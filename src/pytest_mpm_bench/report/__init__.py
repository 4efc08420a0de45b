"""What a session tells: failure views, the summary, the terminal table, the JSON report."""
