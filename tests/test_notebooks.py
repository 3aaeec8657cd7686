"""Both notebooks run top to bottom in a real kernel, from notebooks/ as the working folder."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ("explore.ipynb", "gazetteer.ipynb")


def _outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_without_outputs(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    assert _outputs(notebook) == []
    assert all(cell.get("execution_count") is None for cell in notebook.cells if "outputs" in cell)


@pytest.mark.notebook
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_without_error_and_shows_an_offline_map(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": NOTEBOOKS}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = _outputs(notebook)
    assert not [o for o in outputs if o.output_type == "error"]
    pages = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    maps = [page for page in pages if 'class="mapper-view"' in page]
    assert len(maps) == 1
    assert "<iframe srcdoc=" in maps[0]
    assert "src=&quot;http" not in maps[0]  # scripts and styles are inlined
    if name == "explore.ipynb":
        assert any("image/png" in o.get("data", {}) for o in outputs)  # the matplotlib plot
