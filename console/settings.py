"""console.toml: read with tomllib, validated once, written with tomli-w (atomic replace)."""
