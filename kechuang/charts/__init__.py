"""Every Plotly figure: one style module and one module per chart family."""
