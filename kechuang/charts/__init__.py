"""Every Plotly figure: one style module and one module per chart family."""

# Plotly takes numpy and pandas straight from sys.modules (optional_imports.get_module): a chart
# drawn while another session's thread is still importing pandas gets the half-initialised module
# ("partially initialized module 'pandas' has no attribute 'Series'": thirty sessions at once,
# issue 23). Imported here, through the import system, every chart module waits until both are
# complete.
import numpy  # noqa: F401
import pandas  # noqa: F401
