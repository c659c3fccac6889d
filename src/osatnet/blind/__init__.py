"""Blind mode: members' values are secret-shared at the source and computed on by independent
nodes with MPyC, so that no single party — the operator included — sees a raw value.

* :mod:`.client` — a member's client shares and seals its values (one bundle per node);
* :mod:`.store` — the platform's file store of sealed bundles;
* :mod:`.config` — ``node.toml`` and ``osatnet node keygen``;
* :mod:`.node` / :mod:`.protocol` — ``osatnet node run``: the secure computation of a table;
* :mod:`.registry_job` — the job for a table, from the registry (public data only);
* :mod:`.cluster` — k nodes on loopback, for tests and benchmarks;
* :mod:`.auction` / :mod:`.auction_client` / :mod:`.auction_protocol` / :mod:`.auction_node`
  — sealed-bid clearing of the capacity exchange (``osatnet node auction``);
* :mod:`.auction_platform` / :mod:`.auction_gateway` / :mod:`.auction_files` — the same
  through the platform (``osatnet blind auction``; nodes pull with ``osatnet node run``).

What is and is not protected: ``docs/firewall.md``, section "Blind mode". Submodules are not
imported here: importing MPyC's runtime has side effects that only a node process wants.
"""

from __future__ import annotations

__all__: list[str] = []
