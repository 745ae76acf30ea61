"""What each page shows, computed without Streamlit: one module per page family."""
