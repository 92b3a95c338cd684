"""Standards (标准): catalog, standard numbers, self-declaration."""
