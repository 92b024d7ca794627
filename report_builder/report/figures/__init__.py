"""Chart builders, one module per report section; each returns `Figure`s with SVG inside."""
