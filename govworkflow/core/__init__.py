"""What every environment shares (stdlib and pydantic only): the held-out seed rule and,
as the package moves to this layout, the kernel protocols, the episode record and grading."""
