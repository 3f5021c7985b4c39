"""Where the shipped data lives."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
ASSETS = ROOT / "assets"
DEMO_SCENARIO = ASSETS / "demo" / "scenario.json"
