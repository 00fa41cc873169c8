"""Portal kinds: one module per kind, each saying only how to walk that portal's pages.

``hydra`` (Hydra paging, shared by ``dcat`` and ``udata``) and ``csw`` (the CSW requests
``geonetwork`` sends) are the protocols those kinds speak.
"""
