"""CKAN's default licence register, as ckanext-dcat's parser sees it: ``{id: {"title", "url"}}`` on stdout.

Runs inside the ckan client virtualenv (``.ci/install-clients.sh``).
"""

from __future__ import annotations

import json
import sys

from ckan.model.license import LicenseRegister

if __name__ == "__main__":
    register = {key: {"title": licence.title, "url": licence.url} for key, licence in LicenseRegister().items()}
    json.dump(register, sys.stdout, ensure_ascii=False)
