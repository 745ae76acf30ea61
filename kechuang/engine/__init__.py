"""Figures from data: the warehouse, the contract, the plan, metrics, screening, checks. No
Streamlit, no output formats."""
