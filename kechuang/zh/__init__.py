"""Chinese for people: number and date formats, the one rounding rule, the one label table."""
