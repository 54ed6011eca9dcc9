"""The import graph of crawler/ and monitor/ (built by grimp from every import statement, those
inside functions too): no module reaches itself through its imports, and crawler/ imports nothing
from monitor/. A circle hidden behind an import inside a function is still a circle: the two
modules cannot be understood, tested or moved one without the other."""

from __future__ import annotations

import grimp

PACKAGES = ("crawler", "monitor")

# The one circle another change removes: the digest and health notices import the outbox, whose
# delivery imports them back (issue 16 rewrites the outbox). Listed by name so that this test
# fails as soon as the circle is gone, and the entry is deleted with it.
KNOWN_CIRCLES: list[frozenset[str]] = []


def import_graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)


def circles(graph: grimp.ImportGraph) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm), plus
    any module that imports itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(root: str) -> None:
        # Iterative: a recursive walk would hit Python's recursion limit on a long chain.
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1 or graph.direct_import_exists(importer=node, imported=node):
                        found.append(frozenset(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def describe(graph: grimp.ImportGraph, component: frozenset[str]) -> str:
    first = min(component)
    back = next(m for m in sorted(component) if graph.direct_import_exists(importer=m, imported=first))
    chain = graph.find_shortest_chain(importer=first, imported=back) or (first,)
    return " -> ".join((*chain, first))


def test_the_circle_finder_finds_a_circle() -> None:
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    assert circles(graph) == [frozenset({"p.a", "p.b", "p.c"})]
    graph.remove_import(importer="p.c", imported="p.a")
    assert circles(graph) == []


def test_no_import_circles_in_crawler_or_monitor() -> None:
    graph = import_graph()
    found = circles(graph)
    unexpected = [describe(graph, c) for c in found if not any(known <= c for known in KNOWN_CIRCLES)]
    assert unexpected == []
    for known in KNOWN_CIRCLES:
        assert any(known <= c for c in found), f"{sorted(known)} is no circle any more: delete it from KNOWN_CIRCLES"


def test_the_crawler_imports_nothing_from_the_monitor() -> None:
    graph = import_graph()
    imports = graph.find_matching_direct_imports(import_expression="crawler.** -> monitor.**")
    assert imports == []
    assert graph.find_shortest_chain(importer="crawler", imported="monitor", as_packages=True) is None
