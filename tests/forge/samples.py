"""Files and identities the git-layer tests share."""

from __future__ import annotations

from pao.forge.git import Identity

PAO = Identity("pao", "pao@acme.example")

INITIAL = {
    "README.md": "# requests\n",
    "catalog/postgres.yaml": "kind: CatalogItem\n",
    "requests/postgres/orders.yaml": "kind: Request\nteam: payments\n",
    "requests/postgres/billing.yaml": "kind: Request\nteam: billing\n",
}
