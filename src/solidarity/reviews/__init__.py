"""Review cycles: IMRF and regional reviews, State voluntary reviews, stakeholder inputs and
follow-up."""
