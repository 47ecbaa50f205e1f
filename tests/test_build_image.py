"""deploy/build-image.sh, the Dockerfile's install steps, runs here into a scratch prefix: every pinned
package resolves (pip finds each pin, and ``pip check`` finds no conflict), the translations compile,
the static files are collected, and ``check --deploy`` passes on the result.

To keep the suite quick, the scratch virtualenv sees this environment's packages (a .pth file), so pip
downloads nothing; ``make image-check`` runs the same script into an empty prefix, downloads and all."""

import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="needs msgfmt for the translations (apt-get install gettext)"
)
def test_the_image_install_script_runs_into_a_scratch_prefix(tmp_path):
    prefix = tmp_path / "venv"
    # No pip or setuptools of its own: those of this environment (older ones would shadow them).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True, timeout=300)
    (site_dir,) = prefix.glob("lib/python*/site-packages")
    (site_dir / "project-env.pth").write_text("\n".join(site.getsitepackages()) + "\n")

    done = subprocess.run(
        ["sh", "deploy/build-image.sh", str(prefix)],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(tmp_path), "STATIC_ROOT": str(tmp_path / "static")},
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "System check identified no issues" in done.stdout
    assert (tmp_path / "static" / "css" / "app.css").is_file()
    assert (tmp_path / "static" / "admin").is_dir()  # collected from the installed packages too


def test_the_script_refuses_unknown_options():
    done = subprocess.run(
        ["sh", "deploy/build-image.sh", "--stage", "later", "x"], cwd=ROOT, capture_output=True, text=True
    )

    assert done.returncode == 2 and "--stage is deps, app or all" in done.stderr
