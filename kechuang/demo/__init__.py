"""Synthetic data directory for demos and tests: the 17 contract tables for Rudong (如东县).

The numbers are made up but shaped like the county's (shared/notes/domain.md): its towns
and zones, its industries, money in 万元, events up to the end of October 2026. Firms are
numpy arrays with a latent revenue path; every department table is a view of that one
world, so every uscc joins. A few populations are planted on purpose, because random data
would leave the screens empty or trivial: innovative SMEs that pass (or just miss) the
HNTE screen, young fast-growing HNTEs for the gazelle screen, big manufacturers without
R&D for the 清零 worklist, and plan metrics that land near their 2026 pace.
Same seed -> byte-identical Parquet files.

One module per table family: world (the county's constants), firms (the latent world),
registers (market supervision, tax, statistics), bureau (the science bureau's records), services
(visits, commissioners, trainings, cultivation); common holds the helpers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kechuang.demo.bureau import _contracts, _iur, _rd_institutions, _registry, _sci_projects
from kechuang.demo.common import _write
from kechuang.demo.firms import _finances, _firms, _hnte, _plant_gazelles, _plant_pool, _rd_gap
from kechuang.demo.registers import _annual, _enterprises, _patents, _write_monthly
from kechuang.demo.services import _commissioners, _cultivation, _service, _trainings
from kechuang.demo.world import SCALES
from kechuang.engine import contract


def write_demo(out_dir: str | Path, scale: str = "county", seed: int = 20261031) -> dict[str, int]:
    """Write a synthetic data directory; returns rows written per table."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: use one of {', '.join(SCALES)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    k = SCALES[scale] / SCALES["county"]  # department tables grow with the firm count
    w = _firms(rng, SCALES[scale])
    _finances(rng, w)
    certs = _hnte(rng, w, k)
    _plant_pool(rng, w, k)
    _plant_gazelles(rng, w, k)
    sci = _sci_projects(rng, w, k)
    _rd_gap(rng, w)
    tables = {
        "enterprises": None,
        "patents": _patents(rng, w),
        "tax_annual": None,
        "stats_annual": None,
        "hnte_certificates": certs,
        "tech_sme_registry": _registry(rng, w, k),
        "tech_contracts": _contracts(rng, w, k),
        "iur_projects": _iur(rng, w, k),
        "sci_projects": sci,
        "rd_institutions": _rd_institutions(rng, w, k),
        "commissioners": _commissioners(rng, k),
        "cultivation": _cultivation(rng, w, k),
    }
    tables["key_enterprises"], tables["service_visits"] = _service(rng, w, k)
    tables["trainings"], tables["training_attendance"] = _trainings(rng, w, k)
    tables["tax_annual"], tables["stats_annual"] = _annual(rng, w)
    tables["enterprises"] = _enterprises(rng, w)
    rows = {name: _write(out, name, cols) for name, cols in tables.items()}
    rows["tax_monthly"] = _write_monthly(rng, w, out, hive=scale == "province")
    return {name: rows[name] for name in contract.TABLES}
