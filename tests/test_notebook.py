"""notebooks/explore.ipynb runs top to bottom offline, and is stored without outputs."""

from __future__ import annotations

import os

import nbformat

from .conftest import ROOT, needs_apertium

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def test_notebook_is_stored_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@needs_apertium
def test_notebook_runs_and_highlights_flagged_spans(tmp_path):
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # Every error in a cell raises here, so a broken cell fails the test. The kernel's temporary
    # folder is the test's, so the batch cell's output does not pile up in /tmp run after run.
    kernel_tmp = tmp_path / "tmp"
    kernel_tmp.mkdir()
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                   ).execute(env={**os.environ, "TMPDIR": str(kernel_tmp)})
    batch_output, = kernel_tmp.glob("mtcheck-notebook-*")
    assert (batch_output / "summary.parquet").is_file() and any((batch_output / "articles").iterdir())
    html = [out["data"]["text/html"] for cell in notebook.cells if cell.cell_type == "code"
            for out in cell.outputs if "text/html" in out.get("data", {})]
    highlighted = [h for h in html if '<mark class="' in h]
    assert highlighted, "the report cell shows no highlighted span"
    assert 'class="tip"' in highlighted[0] and "back-translation" in highlighted[0]
    printed = "".join(out.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                      for out in cell.outputs)
    assert "paired bootstrap" in printed
