"""Vendor the map's web assets (Leaflet, Leaflet.draw, ...) into ``static/vendor/`` from the npm registry.

folium loads Leaflet and its plugins from public CDNs; the studio serves exact copies from its own
static folder instead, so the map draws with no internet. This script fetches each package at the
pinned version with ``npm pack`` (the registry's own client), checks the tarball against the pinned
integrity, copies the listed files unchanged and writes ``static/vendor/manifest.json`` (versions,
integrity, licence, sha256 of every file). The copies are committed; run this only to change a version::

    python scripts/vendor_web_assets.py          # re-vendor (needs npm and the registry)
    python scripts/vendor_web_assets.py --check  # verify the committed files against the manifest

The versions are the ones folium 0.20 asks the CDNs for, so folium's templates see the libraries
they were written for.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "static" / "vendor"

#: name, version, npm integrity, licence (SPDX), files copied (paths inside the package), licence files.
PACKAGES = [
    {"name": "leaflet", "version": "1.9.3",
     "integrity": "sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/uSIzhZgGMfQ==",
     "license": "BSD-2-Clause",
     "files": ["dist/leaflet.js", "dist/leaflet.css", "dist/images/layers.png", "dist/images/layers-2x.png",
               "dist/images/marker-icon.png", "dist/images/marker-icon-2x.png", "dist/images/marker-shadow.png",
               "LICENSE"]},
    {"name": "leaflet-draw", "version": "1.0.2",
     "integrity": "sha512-iCcbXE9okhwznoTXjxVjoGFoKeiWGsgmWPKrPAeHUvtWZWK4t6YF6815D13wZoMxX2UM6tOmD7/VofCxx3S0+w==",
     "license": "MIT",
     "files": ["dist/leaflet.draw.js", "dist/leaflet.draw.css", "dist/images/spritesheet.png",
               "dist/images/spritesheet-2x.png", "dist/images/spritesheet.svg"]},
    {"name": "jquery", "version": "3.7.1",
     "integrity": "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
     "license": "MIT", "files": ["dist/jquery.min.js", "LICENSE.txt"]},
    {"name": "bootstrap", "version": "5.2.2",
     "integrity": "sha512-dEtzMTV71n6Fhmbg4fYJzQsw1N29hJKO1js5ackCgIpDcGid2ETMGC6zwSYw09v05Y+oRdQ9loC54zB1La3hHQ==",
     "license": "MIT", "files": ["dist/js/bootstrap.bundle.min.js", "dist/css/bootstrap.min.css", "LICENSE"]},
    {"name": "drmonty-leaflet-awesome-markers", "version": "2.0.2",
     "integrity": "sha512-g508pdnnHQr9l4kU6McvJzcSd0w1FvHFlZZCYc4oT+zjwYJi1qtj0fFBFEWMKoNfHK4UcBya1eccyjKfu4chjQ==",
     "license": "MIT",
     "files": ["js/leaflet.awesome-markers.js", "css/leaflet.awesome-markers.css", "css/images/markers-soft.png",
               "css/images/markers-soft@2x.png", "css/images/markers-shadow.png", "css/images/markers-shadow@2x.png"]},
    # Font Awesome: the CSS and the woff2 fonts (every current browser reads woff2; the .ttf fallbacks are left out)
    {"name": "@fortawesome/fontawesome-free", "version": "6.2.0",
     "integrity": "sha512-CNR7qRIfCwWHNN7FnKUniva94edPdyQzil/zCwk3v6k4R6rR2Fr8i4s3PM7n/lyfPA6Zfko9z5WDzFxG9SW1uQ==",
     "license": "(CC-BY-4.0 AND OFL-1.1 AND MIT)",
     "files": ["css/all.min.css", "webfonts/fa-brands-400.woff2", "webfonts/fa-regular-400.woff2",
               "webfonts/fa-solid-900.woff2", "webfonts/fa-v4compatibility.woff2", "LICENSE.txt"]},
]


def package_dir(name: str, version: str) -> str:
    """Folder of a package under ``static/vendor``: ``leaflet-1.9.3``, ``fortawesome-fontawesome-free-6.2.0``."""
    return f"{name.lstrip('@').replace('/', '-')}-{version}"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _npm_pack(spec: str, dest: Path) -> Path:
    out = subprocess.run(["npm", "pack", spec, "--json", "--pack-destination", str(dest)], check=True,
                         capture_output=True, text=True)
    return dest / json.loads(out.stdout)[0]["filename"]


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def vendor() -> dict:
    """Fetch, verify and copy every package; returns the manifest written."""
    manifest = {"generated_by": "scripts/vendor_web_assets.py", "packages": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        for pkg in PACKAGES:
            tgz = _npm_pack(f"{pkg['name']}@{pkg['version']}", tmp_path)
            got = _integrity(tgz)
            if got != pkg["integrity"]:
                raise SystemExit(f"{pkg['name']}@{pkg['version']}: integrity {got} differs from the pinned one")
            target = VENDOR / package_dir(pkg["name"], pkg["version"])
            if target.exists():
                shutil.rmtree(target)
            files = {}
            with tarfile.open(tgz) as tar:
                for rel in pkg["files"]:
                    member = tar.extractfile(f"package/{rel}")
                    if member is None:
                        raise SystemExit(f"{pkg['name']}: {rel} not in the package")
                    dest = target / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(member.read())
                    files[rel] = _sha256(dest)
            manifest["packages"].append({k: pkg[k] for k in ("name", "version", "integrity", "license")}
                                        | {"dir": package_dir(pkg["name"], pkg["version"]), "files": files})
    (VENDOR / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def check() -> list[str]:
    """Differences between the committed files and the manifest (empty when they agree)."""
    manifest = json.loads((VENDOR / "manifest.json").read_text(encoding="utf-8"))
    problems = []
    for pkg in manifest["packages"]:
        for rel, digest in pkg["files"].items():
            path = VENDOR / pkg["dir"] / rel
            if not path.is_file():
                problems.append(f"missing {path.relative_to(ROOT)}")
            elif _sha256(path) != digest:
                problems.append(f"changed {path.relative_to(ROOT)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed files, fetch nothing")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        print("\n".join(problems) or "static/vendor matches its manifest")
        return 1 if problems else 0
    manifest = vendor()
    n = sum(len(p["files"]) for p in manifest["packages"])
    print(f"vendored {n} files from {len(manifest['packages'])} npm packages into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
