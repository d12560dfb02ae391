"""Word-level quality estimation: the features read off each French word, and the linear model over them."""
